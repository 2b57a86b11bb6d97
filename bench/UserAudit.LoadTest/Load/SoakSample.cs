namespace UserAudit.LoadTest.Load;

/// <summary>
/// One sample of a soak. A value that could not be taken (a service down, a file missing, a broker
/// that does not answer) is null: the soak goes on.
/// </summary>
/// <param name="Seconds">Time since the measured phase started.</param>
/// <param name="Phase">The run's phase when it was taken: load, or settle (waiting for the audit store, then checking it).</param>
/// <param name="RssMiB">
/// Current resident memory per service, summed over its processes (replicas) that hold a file under the
/// data root open; null where none was found.
/// </param>
/// <param name="Processes">How many processes were summed for each service (0: not found).</param>
/// <param name="WalMiB">Size of every <c>*-wal</c> file under the data root by relative path; null when the data root could not be read.</param>
/// <param name="OutboxBacklog">UserService's outbox rows not yet delivered.</param>
/// <param name="ConsumerLag">AuditService's consumer group's lag on the topic, in messages.</param>
/// <param name="RequestsPerSecond">Requests answered per second since the previous sample; null for the first.</param>
/// <param name="AuditBacklog">Acknowledged changes not yet visible in the audit API (the end-to-end backlog).</param>
public sealed record SoakSample(
    double Seconds, string Phase,
    IReadOnlyDictionary<string, double?> RssMiB, IReadOnlyDictionary<string, int> Processes,
    IReadOnlyDictionary<string, double>? WalMiB, long? OutboxBacklog, long? ConsumerLag,
    double? RequestsPerSecond, long? AuditBacklog);
