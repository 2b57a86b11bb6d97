using UserAudit.Tests.EndToEnd;

namespace UserAudit.Tests.Faults;

/// <summary>Samples UserService's outbox backlog every 100 ms while a fault lasts and keeps the peak.</summary>
internal sealed class OutboxSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _peak;

    private OutboxSampler(UserAuditApp app) => _sampling = SampleAsync(app, _stop.Token);

    /// <summary>The largest backlog seen.</summary>
    public long Peak => Interlocked.Read(ref _peak);

    /// <summary>Starts sampling.</summary>
    public static OutboxSampler Start(UserAuditApp app) => new(app);

    /// <summary>Stops sampling and returns the peak.</summary>
    public async Task<long> StopAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        return Peak;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task SampleAsync(UserAuditApp app, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            do
            {
                try
                {
                    var pending = await FaultEvidence.OutboxPendingAsync(app, cancellationToken);
                    if (pending > Interlocked.Read(ref _peak))
                    {
                        Interlocked.Exchange(ref _peak, pending);
                    }
                }
                catch (Microsoft.Data.Sqlite.SqliteException)
                {
                    // The database is busy for a moment (a checkpoint): the next sample reads it.
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
