using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace UserAudit.ServiceDefaults.Kafka;

/// <summary>
/// Asks the cluster for metadata over the client's own connections. Unlike Aspire's check it
/// produces nothing, creates no topic, and its timeout is a setting.
/// </summary>
public sealed class KafkaMetadataHealthCheck(Handle handle, TimeSpan timeout) : IHealthCheck, IDisposable
{
    private readonly IAdminClient _admin = new DependentAdminClientBuilder(handle).Build();

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // GetMetadata blocks inside librdkafka: run it off the caller's thread.
            var metadata = await Task.Run(() => _admin.GetMetadata(timeout), cancellationToken);
            return metadata.Brokers.Count > 0
                ? HealthCheckResult.Healthy($"{metadata.Brokers.Count} broker(s) answered.")
                : HealthCheckResult.Unhealthy("The cluster named no broker.");
        }
        catch (KafkaException ex)
        {
            return HealthCheckResult.Unhealthy($"Kafka did not answer within {timeout.TotalSeconds:0.#} s: {ex.Error.Code}.");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _admin.Dispose();
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
