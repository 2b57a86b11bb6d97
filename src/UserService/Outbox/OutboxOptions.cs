using System.ComponentModel.DataAnnotations;

namespace UserService.Outbox;

/// <summary>Relay settings; section <c>Outbox</c>.</summary>
public sealed class OutboxOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Outbox";

    /// <summary>Rows published per round.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>How often the relay looks for rows when nobody woke it (after a restart, for example).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between retries while Kafka is unreachable.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long delivered rows are kept before they are pruned.</summary>
    public TimeSpan DeliveredRetention { get; set; } = TimeSpan.FromDays(1);
}
