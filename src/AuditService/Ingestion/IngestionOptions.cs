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

    /// <summary>
    /// How long a batch keeps filling before it is stored. Zero (the default): group commit, the
    /// batch fills while the previous one is being stored and goes as soon as that is done with what
    /// is in hand, so events trickling in are stored one commit after they arrive and a flood fills
    /// whole batches. Above zero: every batch waits this long to fill (fewer, larger transactions
    /// at moderate rates, each event stored up to this much later).
    /// </summary>
    public TimeSpan BatchWindow { get; set; } = TimeSpan.Zero;

    /// <summary>Longest wait between two attempts to store a batch or deliver its dead letters while the database or broker fails.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest accepted event (message value, or HTTP body).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxEventBytes { get; set; } = DefaultMaxEventBytes;

    /// <summary>
    /// Most events in one HTTP request (a larger batch gets 413). An HTTP batch is stored in one
    /// transaction; this keeps it no longer than a Kafka batch, so HTTP senders cannot hold SQLite's
    /// write lock (and stall Kafka ingestion) with one request.
    /// </summary>
    [Range(1, 50_000)]
    public int MaxBatchEvents { get; set; } = DefaultMaxBatchEvents;

    /// <summary>The default of <see cref="MaxBatchEvents"/>: the default <see cref="BatchSize"/>.</summary>
    public const int DefaultMaxBatchEvents = 500;

    /// <summary>HTTP ingest requests processed at once; more wait in a queue of <see cref="HttpIngestQueue"/>.</summary>
    [Range(1, 256)]
    public int MaxConcurrentHttpIngests { get; set; } = 4;

    /// <summary>HTTP ingest requests that may wait for a slot; beyond it, 503 with <c>Retry-After</c>.</summary>
    [Range(0, 10_000)]
    public int HttpIngestQueue { get; set; } = 64;

    /// <summary>The default of <see cref="MaxEventBytes"/>: 1 MiB, Kafka's default message size.</summary>
    public const int DefaultMaxEventBytes = 1024 * 1024;
}
