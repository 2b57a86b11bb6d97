namespace UserAudit.Tests.Infrastructure;

/// <summary>Polls with a deadline instead of sleeping a fixed time.</summary>
public static class Eventually
{
    /// <summary>Default patience for something asynchronous to happen.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Calls <paramref name="probe"/> until it returns a value, or fails after <paramref name="timeout"/> saying what was awaited.</summary>
    public static async Task<T> GetAsync<T>(Func<CancellationToken, Task<T?>> probe, string what, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where T : class
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout ?? DefaultTimeout);
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                if (await probe(cts.Token) is { } value)
                {
                    return value;
                }

                await Task.Delay(delay, cts.Token);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds:0} s waiting for {what}.");
            }

            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 1.5, 500));
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static async Task TrueAsync(Func<CancellationToken, Task<bool>> condition, string what, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        await GetAsync<object>(async ct => await condition(ct) ? new object() : null, what, timeout, cancellationToken);
}
