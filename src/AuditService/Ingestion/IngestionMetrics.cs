using System.Diagnostics.Metrics;

namespace AuditService.Ingestion;

/// <summary>AuditService's own counters, created once, shared by both ingestion paths and the dead-letter publisher.</summary>
public sealed class IngestionMetrics : IDisposable
{
    private readonly Meter _meter;

    /// <summary>Creates the counters on the <c>UserAudit.AuditService</c> meter.</summary>
    /// <param name="meterFactory">The host's meter factory.</param>
    public IngestionMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(Microsoft.Extensions.Hosting.UserAuditTelemetry.AuditService);
        Stored = _meter.CreateCounter<long>("useraudit.audit.events.stored", "{event}", "Events stored for the first time.");
        Duplicates = _meter.CreateCounter<long>("useraudit.audit.events.duplicates", "{event}", "Redelivered events skipped because (source, id) was already stored.");
        DeadLettered = _meter.CreateCounter<long>("useraudit.audit.events.dead_lettered", "{message}", "Poison messages sent to the dead-letter topic, by reason.");
        Conflicts = _meter.CreateCounter<long>("useraudit.audit.events.conflicts", "{event}",
            "Copies of a stored (source, id) with different content: recorded, not stored; by path (kafka or http).");
        Refused = _meter.CreateCounter<long>("useraudit.audit.ingest.refused", "{request}",
            "HTTP ingest requests refused before storing, by reason (reserved-source, source-not-granted, too-many-events, busy).");
    }

    /// <summary>Events stored for the first time.</summary>
    public Counter<long> Stored { get; }

    /// <summary>Events skipped because their (source, id) was already stored.</summary>
    public Counter<long> Duplicates { get; }

    /// <summary>Poison messages sent to the dead-letter topic, tagged with the reason.</summary>
    public Counter<long> DeadLettered { get; }

    /// <summary>Copies of a stored (source, id) whose content differs, tagged with the path.</summary>
    public Counter<long> Conflicts { get; }

    /// <summary>HTTP ingest requests refused before storing, tagged with the reason.</summary>
    public Counter<long> Refused { get; }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
