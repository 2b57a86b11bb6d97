using System.Diagnostics;
using AuditService.Store;
using AuditService.Streaming;

namespace AuditService.Ingestion;

/// <summary>
/// Stores ingested events, whichever path they came by (Kafka or HTTP), in one transaction, and
/// accounts for them the same way: the stored, duplicate and conflict counters, an <c>INSERT
/// audit_events</c> span under each event's span, the readable log line for each event actually
/// inserted, a warning for each conflicting copy, and a wake-up for the live streams when anything
/// new was stored.
/// </summary>
public sealed class AuditEventWriter(AuditEventStore store, AuditEventLog eventLog, IngestionMetrics metrics, TimeProvider time, AuditEventSignal signal)
{
    private static readonly ActivitySource Source = new(Microsoft.Extensions.Hosting.UserAuditTelemetry.AuditService);

    /// <summary>Stores the events; duplicates by (source, id) are skipped, conflicting copies recorded.</summary>
    /// <param name="events">The events, in order.</param>
    /// <param name="cancellationToken">Cancels the write (nothing is then stored).</param>
    /// <returns>Which events were new.</returns>
    public async Task<AuditWriteResult> WriteAsync(IReadOnlyList<IngestedEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return AuditWriteResult.Empty;
        }

        var records = new AuditRecord[events.Count];
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = events[i].Record;
        }

        var started = time.GetUtcNow();
        var result = await store.InsertAsync(records, cancellationToken);
        var ended = time.GetUtcNow();
        if (result.Stored > 0)
        {
            signal.Notify();
        }

        metrics.Stored.Add(result.Stored);
        metrics.Duplicates.Add(result.Duplicates);
        if (result.Conflicts > 0)
        {
            metrics.Conflicts.Add(result.Conflicts, new KeyValuePair<string, object?>("path", records[0].Kafka is null ? "http" : "kafka"));
        }

        var caller = Activity.Current;
        var callerSpanRecorded = false;
        try
        {
            for (var i = 0; i < events.Count; i++)
            {
                var parent = events[i].Span ?? caller;
                if (events[i].Span is not null || !callerSpanRecorded)
                {
                    // One span per Kafka event (each has its own trace); one for a whole HTTP request.
                    RecordInsertSpan(parent, started, ended, records.Length);
                    callerSpanRecorded |= events[i].Span is null;
                }

                // The log line carries the event's trace id: written inside its span.
                Activity.Current = parent;
                switch (result.Outcomes[i])
                {
                    case AuditWriteOutcome.Stored:
                        eventLog.Stored(records[i]);
                        break;
                    case AuditWriteOutcome.Conflict:
                        eventLog.Conflict(records[i]);
                        break;
                }
            }
        }
        finally
        {
            Activity.Current = caller;
        }

        return result;
    }

    private static void RecordInsertSpan(Activity? parent, DateTimeOffset started, DateTimeOffset ended, int batchSize)
    {
        if (parent is null)
        {
            return;
        }

        using var span = Source.StartActivity("INSERT audit_events", ActivityKind.Client, parent.Context, startTime: started);
        span?.SetTag("db.system.name", "sqlite");
        span?.SetTag("db.operation.name", "INSERT");
        span?.SetTag("db.collection.name", "audit_events");
        span?.SetTag("db.operation.batch.size", batchSize);
        span?.SetEndTime(ended.UtcDateTime);
    }
}
