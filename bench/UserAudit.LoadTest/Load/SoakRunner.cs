namespace UserAudit.LoadTest.Load;

/// <summary>A load run at a fixed rate with a <see cref="SoakSampler"/> beside it, judged by <see cref="SoakVerdict"/>.</summary>
public sealed class SoakRunner(LoadOptions load, SoakOptions soak)
{
    /// <summary>Runs the load, samples the system until the load's audit check is done, and judges.</summary>
    /// <param name="progress">Receives the load's snapshot about once a second.</param>
    /// <param name="cancellationToken">Ends the load early; the samples and verdict cover what was done.</param>
    public async Task<SoakResult> RunAsync(IProgress<LoadProgress>? progress, CancellationToken cancellationToken)
    {
        var runner = new LoadRunner(load);
        using var sampler = new SoakSampler(soak, runner);
        using var stop = new CancellationTokenSource();
        var sampling = sampler.RunAsync(stop.Token);
        LoadResult result;
        try
        {
            result = await runner.RunAsync(progress, cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            await sampling;
        }

        var samples = sampler.Samples;
        return new SoakResult(SoakRunOptions.From(load, soak), samples, SoakVerdict.Judge(samples, result, soak), result);
    }
}
