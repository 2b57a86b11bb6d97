namespace UserAudit.LoadTest.Benchmarks;

/// <summary>One system over all rounds: medians of the rounds.</summary>
/// <param name="System">Which system.</param>
/// <param name="RenamesPerSecond">Median of the rounds' rename rates.</param>
/// <param name="P50Ms">Median of the rounds' median latencies.</param>
/// <param name="P99Ms">Median of the rounds' 99th percentiles.</param>
/// <param name="PeakRssMiB">Highest resident memory of the service's process in any round; null when not sampled (in-process baseline).</param>
/// <param name="ChecksPassed">Every round's exactly-once check passed; null when the system publishes nothing.</param>
public sealed record PeerSummary(PeerSystem System, double RenamesPerSecond, double P50Ms, double P99Ms, double? PeakRssMiB, bool? ChecksPassed);
