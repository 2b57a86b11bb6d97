using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace UserAudit.ServiceDefaults.Kafka;

/// <summary>
/// Asks the cluster for metadata over the client's own connections. Unlike Aspire's check it
/// produces nothing, creates no topic, and its timeout is a setting. One instance serves every run
/// of its registration (a singleton beside the client): each instance holds an admin client with a
/// polling thread of its own, so an instance per run would leak a thread every run.
/// </summary>
/// <remarks>
/// The admin client borrows the Kafka client's handle, and librdkafka crashes the process when a
/// handle is destroyed while another thread is inside a call on it. The container disposes this
/// check before the client it was built on (it was created after it), and <see cref="Dispose"/>
/// waits for a check in flight, which returns within its timeout, so the client always outlives
/// every call made on its handle.
/// </remarks>
public sealed class KafkaMetadataHealthCheck(Handle handle, TimeSpan timeout) : IHealthCheck, IDisposable
{
    private readonly IAdminClient _admin = new DependentAdminClientBuilder(handle).Build();
    private readonly SemaphoreSlim _inUse = new(1, 1);
    private volatile bool _disposed;

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await _inUse.WaitAsync(cancellationToken);
        try
        {
            if (_disposed)
            {
                return HealthCheckResult.Unhealthy("The Kafka client is shutting down.");
            }

            // GetMetadata blocks inside librdkafka: run it off the caller's thread. A started call
            // is awaited to its end even when the caller gives up, so the gate is held until then.
            var metadata = await Task.Run(() => _admin.GetMetadata(timeout), cancellationToken);
            return metadata.Brokers.Count > 0
                ? HealthCheckResult.Healthy($"{metadata.Brokers.Count} broker(s) answered.")
                : HealthCheckResult.Unhealthy("The cluster named no broker.");
        }
        catch (KafkaException ex)
        {
            return HealthCheckResult.Unhealthy($"Kafka did not answer within {timeout.TotalSeconds:0.#} s: {ex.Error.Code}.");
        }
        finally
        {
            _inUse.Release();
        }
    }

    /// <summary>Waits for a check in flight (at most its timeout, plus a margin), then disposes the admin client.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        var idle = _inUse.Wait(timeout * 2 + TimeSpan.FromSeconds(1));
        _admin.Dispose();
        if (idle)
        {
            // Checks queued behind this one now see the flag and answer without the client.
            _inUse.Release();
        }
    }
}

/// <summary>
/// Watches a consumer from the outside: when the application last polled and what it is assigned.
/// The consumer's health check reports a consumer that stopped polling or lost its assignment.
/// </summary>
public sealed class KafkaConsumerMonitor(TimeProvider timeProvider)
{
    private long _lastPollTimestamp = timeProvider.GetTimestamp();
    private volatile bool _lost;

    /// <summary>Time since the application last polled.</summary>
    public TimeSpan SinceLastPoll => timeProvider.GetElapsedTime(Interlocked.Read(ref _lastPollTimestamp));

    /// <summary>Whether the group took the assignment away without a revocation (session lost).</summary>
    public bool AssignmentLost => _lost;

    /// <summary>The application polled (called by the consume loop, and from librdkafka callbacks that run inside a poll).</summary>
    public void Polled() => Interlocked.Exchange(ref _lastPollTimestamp, timeProvider.GetTimestamp());

    internal void Assigned()
    {
        _lost = false;
        Polled();
    }

    internal void Revoked(bool lost)
    {
        _lost = lost;
        Polled();
    }
}

/// <summary>Consumer health: the cluster answers, the application polls, the group has not taken the assignment away.</summary>
public sealed class KafkaConsumerHealthCheck(KafkaMetadataHealthCheck metadata, KafkaConsumerMonitor monitor, TimeSpan maxPollInterval) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (monitor.SinceLastPoll > maxPollInterval)
        {
            return HealthCheckResult.Unhealthy($"The consumer has not polled for {monitor.SinceLastPoll.TotalSeconds:0} s (limit {maxPollInterval.TotalSeconds:0} s).");
        }

        if (monitor.AssignmentLost)
        {
            return HealthCheckResult.Unhealthy("The consumer lost its partition assignment (session timed out).");
        }

        return await metadata.CheckHealthAsync(context, cancellationToken);
    }
}
