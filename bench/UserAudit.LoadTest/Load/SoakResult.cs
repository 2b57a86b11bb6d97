namespace UserAudit.LoadTest.Load;

/// <summary>What a soak was asked to do.</summary>
/// <param name="UserService">UserService's address.</param>
/// <param name="AuditService">AuditService's address.</param>
/// <param name="Workload">What the clients did.</param>
/// <param name="Connections">Concurrent clients.</param>
/// <param name="Rate">Target requests per second.</param>
/// <param name="DurationSeconds">Length of the load asked for.</param>
/// <param name="Sampling">Where and how often the system was sampled, and the WAL limits.</param>
public sealed record SoakRunOptions(
    string UserService, string AuditService, string Workload, int Connections, double Rate, double DurationSeconds, SoakOptions Sampling)
{
    /// <summary>From the options of the load and of the sampler.</summary>
    public static SoakRunOptions From(LoadOptions load, SoakOptions soak)
    {
        ArgumentNullException.ThrowIfNull(load);
        return new SoakRunOptions(load.UserService.ToString(), load.AuditService?.ToString() ?? "none", load.Workload.ToString().ToLowerInvariant(),
            load.Connections, load.Rate ?? 0, load.Duration.TotalSeconds, soak);
    }
}

/// <summary>Everything a soak measured: its samples, its verdict and the load's usual figures.</summary>
/// <param name="Options">What it was asked to do.</param>
/// <param name="Samples">One per sample interval, from the start of the load to the end of the audit check.</param>
/// <param name="Verdict">Pass or fail, and why.</param>
/// <param name="Load">The load run's figures and audit check.</param>
public sealed record SoakResult(SoakRunOptions Options, IReadOnlyList<SoakSample> Samples, SoakVerdict Verdict, LoadResult Load);
