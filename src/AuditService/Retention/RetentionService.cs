using Microsoft.Extensions.Options;

namespace AuditService.Retention;

/// <summary>Deletes events received before now minus <see cref="RetentionOptions.Period"/>, at start and then every <see cref="RetentionOptions.Interval"/>.</summary>
public sealed partial class RetentionService(RetentionCut cut, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    /// <summary>Deletes the expired events once; returns how many.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.Period;
        var outcome = await cut.DeleteReceivedBeforeAsync(cutoff, cancellationToken);
        if (outcome.Deleted > 0)
        {
            LogPurged(logger, outcome.Deleted, cutoff);
        }

        if (outcome.Refused is { } broken)
        {
            LogRefused(logger, broken.Position, broken.Kind.ToString(), broken.Detail);
        }

        return outcome.Deleted;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                await PurgeAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A failed run (e.g. a locked database) is retried at the next tick, not fatal.
                LogFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Count} audit event(s) received before {Cutoff:O}")]
    private static partial void LogPurged(ILogger logger, int count, DateTimeOffset cutoff);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Retention stopped before position {Position}: the stretch to delete does not verify ({Kind}: {Detail}). Nothing of it is deleted; run GET /v1/audit-events/verify")]
    private static partial void LogRefused(ILogger logger, long position, string kind, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention run failed; retrying at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
