using UserAudit.LoadTest.Load;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>One measured phase of one system.</summary>
/// <param name="System">Which system.</param>
/// <param name="Round">1-based round.</param>
/// <param name="Renames">The measured phase.</param>
/// <param name="Check">The exactly-once check of the topic; null for the row-only baseline, which publishes nothing.</param>
public sealed record PeerRun(PeerSystem System, int Round, LoadResult Renames, TopicCheck? Check);
