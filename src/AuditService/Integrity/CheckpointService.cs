using Microsoft.Extensions.Options;

namespace AuditService.Integrity;

/// <summary>
/// Signs the chain's head every <see cref="IntegrityOptions.CheckpointInterval"/> when it moved, and
/// once at start (which also creates the chain of a store that has none, linking the rows stored
/// before it, so that they are covered by a signature from the first minute).
/// </summary>
public sealed partial class CheckpointService(CheckpointStore store, IOptions<IntegrityOptions> options, TimeProvider time, ILogger<CheckpointService> logger)
    : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckpointInterval, time);
        do
        {
            try
            {
                if (await store.CheckpointIfMovedAsync(stoppingToken) is { } checkpoint)
                {
                    LogSigned(logger, checkpoint.Number, checkpoint.Position, checkpoint.KeyId);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A busy database is tried again at the next tick; the next checkpoint covers this one's rows.
                LogFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Signed checkpoint {Number} at chain position {Position} with key {KeyId}")]
    private static partial void LogSigned(ILogger logger, long number, long position, string keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint failed; retrying at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
