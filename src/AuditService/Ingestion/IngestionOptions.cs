using System.ComponentModel.DataAnnotations;
using UserAudit.ServiceDefaults.Kafka;

namespace AuditService.Ingestion;

/// <summary>How AuditService consumes; section <c>Ingestion</c>.</summary>
public sealed class IngestionOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Ingestion";

    /// <summary>Topic of the audit events.</summary>
    [Required]
    public string Topic { get; set; } = AuditTopics.Audit;

    /// <summary>Where poison messages go, with the reason in headers.</summary>
    [Required]
    public string DeadLetterTopic { get; set; } = AuditTopics.DeadLetter;

    /// <summary>Consumer group; replicas share it and split the partitions.</summary>
    [Required]
    public string GroupId { get; set; } = "audit";

    /// <summary>Most events stored in one transaction.</summary>
    [Range(1, 50_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Longest a batch waits to fill.</summary>
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest wait between two attempts to store a batch or deliver its dead letters while the database or broker fails.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest accepted event (message value, or HTTP body).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxEventBytes { get; set; } = DefaultMaxEventBytes;

    /// <summary>The default of <see cref="MaxEventBytes"/>: 1 MiB, Kafka's default message size.</summary>
    public const int DefaultMaxEventBytes = 1024 * 1024;
}
