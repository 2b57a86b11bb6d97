using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace UserAudit.AppHost.Kafka;

/// <summary>The AppHost's Kafka settings, bound from the <c>Kafka</c> configuration section.</summary>
public sealed class KafkaHostingOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Kafka";

    /// <summary>Host port of Kafka when none is configured: Kafka's own default.</summary>
    public const int DefaultPort = 9092;

    /// <summary><c>auto</c>, <c>container</c>, <c>embedded</c> or <c>external</c>; empty means <c>auto</c>.</summary>
    public string? Mode { get; set; }

    /// <summary>
    /// Auto mode: longest wait for the container runtimes to answer (all are asked at once). A
    /// runtime that has not answered by then counts as not running.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00", ErrorMessage = "Kafka:ProbeTimeout must be from 0.1 s to 1 minute.")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Host port clients connect to (container and embedded modes).</summary>
    [Range(1, 65535, ErrorMessage = "Kafka:Port must be a port number, 1 to 65535.")]
    public int Port { get; set; } = DefaultPort;

    /// <summary>Container mode: keep the broker's data in a named volume.</summary>
    public bool DataVolume { get; set; }

    /// <summary>Container mode: add Kafka UI.</summary>
    public bool UI { get; set; }

    /// <summary>Host port of Kafka UI; random when null.</summary>
    [Range(1, 65535, ErrorMessage = "Kafka:UIPort must be a port number, 1 to 65535.")]
    public int? UIPort { get; set; }

    /// <summary>
    /// Binds the <c>Kafka</c> section and validates it. The AppHost reads it while it builds the
    /// model, before any options pipeline exists, so a wrong value stops it here with its name.
    /// </summary>
    /// <exception cref="ValidationException">A value is out of range.</exception>
    public static KafkaHostingOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(SectionName).Get<KafkaHostingOptions>() ?? new();
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        return options;
    }
}
