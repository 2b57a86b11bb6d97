using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace UserAudit.AppHost.Postgres;

/// <summary>The AppHost's PostgreSQL settings, bound from the <c>Postgres</c> configuration section.</summary>
public sealed class PostgresHostingOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Postgres";

    /// <summary><c>auto</c>, <c>container</c>, <c>local</c> or <c>external</c>; empty means <c>auto</c>.</summary>
    public string? Mode { get; set; }

    /// <summary>Auto mode: longest wait for the container runtimes to answer.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00", ErrorMessage = "Postgres:ProbeTimeout must be from 0.1 s to 1 minute.")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Host port of the server (container and local modes). Not PostgreSQL's 5432, which the Debian
    /// package's own cluster takes on most machines that have the binaries.
    /// </summary>
    [Range(1, 65535, ErrorMessage = "Postgres:Port must be a port number, 1 to 65535.")]
    public int Port { get; set; } = 5433;

    /// <summary>Local mode: the folder of <c>initdb</c> and <c>postgres</c>; by default the newest <c>/usr/lib/postgresql/*/bin</c>.</summary>
    public string? BinDirectory { get; set; }

    /// <summary>Container mode: keep the server's data in a named volume.</summary>
    public bool DataVolume { get; set; }

    /// <summary>Container mode: add pgAdmin.</summary>
    public bool PgAdmin { get; set; }

    /// <summary>Binds the <c>Postgres</c> section and validates it, while the AppHost builds its model.</summary>
    /// <exception cref="ValidationException">A value is out of range.</exception>
    public static PostgresHostingOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(SectionName).Get<PostgresHostingOptions>() ?? new();
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        return options;
    }
}
