namespace UserService.Users;

/// <summary>Deletes expired idempotency keys every hour (lookups already ignore them; this keeps the table small).</summary>
public sealed partial class IdempotencyKeyPruner(IdempotencyKeys keys, TimeProvider time, ILogger<IdempotencyKeyPruner> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                var pruned = await keys.PruneAsync(stoppingToken);
                if (pruned > 0)
                {
                    LogPruned(logger, pruned);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} expired idempotency key(s)")]
    private static partial void LogPruned(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired idempotency keys failed; retrying in an hour")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
