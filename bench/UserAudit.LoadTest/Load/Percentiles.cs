namespace UserAudit.LoadTest.Load;

/// <summary>Latency figures in milliseconds, exact (from every sample, not from buckets).</summary>
/// <param name="Count">Samples.</param>
/// <param name="P50">Median.</param>
/// <param name="P95">95th percentile.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="Max">Largest sample.</param>
/// <param name="Mean">Arithmetic mean.</param>
public sealed record Percentiles(long Count, double P50, double P95, double P99, double Max, double Mean)
{
    /// <summary>No samples.</summary>
    public static Percentiles Empty { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>Computes the figures; sorts <paramref name="samples"/> in place.</summary>
    public static Percentiles Of(List<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return Empty;
        }

        samples.Sort();
        return new Percentiles(samples.Count, Rank(samples, 0.50), Rank(samples, 0.95), Rank(samples, 0.99), samples[^1], samples.Average());
    }

    // Nearest-rank percentile: the smallest sample with at least p of all samples at or below it.
    private static double Rank(List<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
