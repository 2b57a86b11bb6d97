using System.Diagnostics;

namespace UserAudit.LoadTest.Load;

/// <summary>How the load generator follows the audit API while the load runs.</summary>
public enum AuditWatch
{
    /// <summary>
    /// Follows <c>GET /v1/audit-events/stream</c>: AuditService pushes each event once it is
    /// committed, so freshness is measured to the moment a reader could have it, and the watcher's
    /// cost stays one read per commit however far behind or ahead it is.
    /// </summary>
    Stream,

    /// <summary>Polls <c>GET /v1/audit-events</c> newest first every <see cref="LoadOptions.PollInterval"/>.</summary>
    Poll,
}

/// <summary>
/// Follows the audit API while the load runs and notes when each change's event first became
/// visible to a reader: the figures behind freshness, the settle wait and the progress line. The
/// end-of-run check reads the store on its own (<see cref="AuditStoreCheck"/>), so a watcher that
/// misses an event delays the settle wait but cannot hide a loss.
/// </summary>
public abstract class AuditWatcher
{
    private readonly Dictionary<ChangeId, long> _seen = [];
    private readonly Lock _lock = new();
    private long _failures;

    /// <summary>Requests to the audit API that failed (counted, then retried).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>How the events became visible, for the report: "pushed on the audit stream", "polled every 25 ms".</summary>
    public abstract string Method { get; }

    /// <summary>The watcher for <paramref name="options"/>' <see cref="LoadOptions.Watch"/>.</summary>
    /// <param name="options">The run's options.</param>
    /// <param name="audit">A client of AuditService that sends its read key.</param>
    /// <param name="from">The earliest event time of the run.</param>
    public static AuditWatcher Create(LoadOptions options, HttpClient audit, DateTimeOffset from)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Watch == AuditWatch.Poll
            ? new AuditPollWatcher(audit, options.EventSource, from, options.PollInterval)
            : new AuditStreamWatcher(audit, options.EventSource, from);
    }

    /// <summary>
    /// Completes once every event stored from now on will be seen: the run's first change must come
    /// after it. The poll watcher walks back to the run's start and is ready at once.
    /// </summary>
    public virtual Task ReadyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Watches until cancelled; AuditService may go away meanwhile (a fault scenario), and the watcher keeps trying.</summary>
    public abstract Task RunAsync(CancellationToken cancellationToken);

    /// <summary>How many of the ledger's acknowledged changes have a visible event.</summary>
    public long CountAudited(Ledger ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        long audited = 0;
        lock (_lock)
        {
            foreach (var (change, record) in ledger.Changes)
            {
                if (record.Outcome == ChangeOutcome.Acknowledged && _seen.ContainsKey(change))
                {
                    audited++;
                }
            }
        }

        return audited;
    }

    /// <summary>Freshness of the measured changes in milliseconds: from the 2xx answer to the moment the watcher saw the change's event.</summary>
    public List<double> Freshness(Ledger ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        var samples = new List<double>();
        lock (_lock)
        {
            foreach (var (change, record) in ledger.Changes)
            {
                if (record.Measured && _seen.TryGetValue(change, out var seenAt))
                {
                    // Seen before the client read its answer: visible at once.
                    samples.Add(Math.Max(0, Stopwatch.GetElapsedTime(record.AcknowledgedAt, seenAt).TotalMilliseconds));
                }
            }
        }

        return samples;
    }

    /// <summary>Notes <paramref name="changes"/> as seen at <paramref name="at"/> (a <see cref="Stopwatch"/> timestamp), unless seen before.</summary>
    protected void Saw(IEnumerable<ChangeId> changes, long at)
    {
        ArgumentNullException.ThrowIfNull(changes);
        lock (_lock)
        {
            foreach (var change in changes)
            {
                _seen.TryAdd(change, at);
            }
        }
    }

    /// <summary>Counts a failed request.</summary>
    protected void Failed() => Interlocked.Increment(ref _failures);

    /// <summary>Whether <paramref name="exception"/> is AuditService being away or answering badly, which a watcher outlives.</summary>
    protected static bool IsTransient(Exception exception) =>
        exception is HttpRequestException or System.Text.Json.JsonException or IOException or TaskCanceledException or FormatException;
}
