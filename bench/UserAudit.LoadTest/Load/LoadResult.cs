namespace UserAudit.LoadTest.Load;

/// <summary>Figures of one operation kind in the measured phase.</summary>
/// <param name="Operation">create, rename, password or delete.</param>
/// <param name="Requests">Requests sent.</param>
/// <param name="Succeeded">2xx answers.</param>
/// <param name="Failed">Other answers and transport failures.</param>
/// <param name="RequestsPerSecond">Successful requests per second of the measured phase.</param>
/// <param name="Latency">Latency of the successful requests.</param>
public sealed record OperationResult(string Operation, long Requests, long Succeeded, long Failed, double RequestsPerSecond, Percentiles Latency);

/// <summary>Everything a run measured.</summary>
/// <param name="Workload">What the clients did.</param>
/// <param name="Connections">Concurrent clients.</param>
/// <param name="TargetRate">Open-loop rate, or null for closed loop.</param>
/// <param name="Seconds">Length of the measured phase.</param>
/// <param name="Operations">Per operation kind.</param>
/// <param name="Total">All operations together.</param>
/// <param name="Errors">Failed requests by status code, or by exception name for transport failures.</param>
/// <param name="Freshness">From the 2xx answer until the event was visible in the audit API; null without AuditService.</param>
/// <param name="Watch">How the events were seen: "pushed on the audit stream" or "polled every N ms" (the resolution of <paramref name="Freshness"/>).</param>
/// <param name="Audit">The end-of-run check; null without AuditService.</param>
/// <param name="SettleSeconds">Time from the last answer until every acknowledged change was visible.</param>
/// <param name="PeakRssMiB">Highest resident memory per service process.</param>
public sealed record LoadResult(
    string Workload, int Connections, double? TargetRate, double Seconds,
    IReadOnlyList<OperationResult> Operations, OperationResult Total, IReadOnlyDictionary<string, long> Errors,
    Percentiles? Freshness, string? Watch, AuditVerdict? Audit, double? SettleSeconds,
    IReadOnlyDictionary<string, double> PeakRssMiB);

/// <summary>A progress snapshot, about once a second.</summary>
/// <param name="Elapsed">Time into the measured phase.</param>
/// <param name="Requests">Requests answered so far.</param>
/// <param name="Errors">Failed so far.</param>
/// <param name="RequestsPerSecond">Answers per second since the previous snapshot.</param>
/// <param name="Acknowledged">Changes acknowledged (including the set-up phase's).</param>
/// <param name="Audited">Of those, visible in the audit API.</param>
/// <param name="Phase">setup, load or settle.</param>
public sealed record LoadProgress(TimeSpan Elapsed, long Requests, long Errors, double RequestsPerSecond, long Acknowledged, long Audited, string Phase);
