namespace UserAudit.LoadTest.Benchmarks;

/// <summary>The peers command's figures.</summary>
/// <param name="Options">How it ran.</param>
/// <param name="Runs">Every measured phase, in the order run.</param>
/// <param name="Systems">Per system, medians over the rounds.</param>
/// <param name="Ratios">UserService against the others.</param>
/// <param name="ChecksPassed">Every exactly-once check passed.</param>
public sealed record PeerComparisonResult(PeerComparisonOptions Options, IReadOnlyList<PeerRun> Runs, IReadOnlyList<PeerSummary> Systems, PeerRatios Ratios, bool ChecksPassed);
