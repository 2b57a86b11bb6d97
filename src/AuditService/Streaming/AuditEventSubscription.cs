using System.Threading.Channels;

namespace AuditService.Streaming;

/// <summary>
/// One stream's wake-up: a channel of one pending notification, so that however often the writer
/// commits while the stream is busy writing to a slow client, what waits for it is a single flag.
/// </summary>
public sealed class AuditEventSubscription : IDisposable
{
    private readonly Channel<bool> _wakeUps = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly Action<AuditEventSubscription> _unsubscribe;

    internal AuditEventSubscription(Action<AuditEventSubscription> unsubscribe) => _unsubscribe = unsubscribe;

    internal void Wake() => _wakeUps.Writer.TryWrite(true);

    /// <summary>
    /// Waits until the writer stores something or <paramref name="timeout"/> passes (whichever comes
    /// first); false when <paramref name="cancellationToken"/> ends the wait (the client left).
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            await _wakeUps.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The timeout: look again anyway (another replica may have stored something).
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        return true;
    }

    /// <inheritdoc />
    public void Dispose() => _unsubscribe(this);
}
