using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace UserAudit.AppHost.Kafka;

/// <summary>
/// Healthy once the cluster answers a Metadata request and every declared topic exists with at
/// least its declared partitions. Missing topics are created (on clusters that support
/// CreateTopics), so the services that wait for Kafka start against a ready cluster. Unlike
/// Aspire's Kafka health check it produces nothing and creates no stray topic. One admin client
/// serves every run (a new one only when the bootstrap servers change) until the check is disposed.
/// </summary>
public sealed class KafkaTopicsHealthCheck(
    Func<CancellationToken, ValueTask<string?>> bootstrapServers,
    IReadOnlyList<KafkaTopic> topics,
    TimeSpan timeout) : IHealthCheck, IDisposable
{
    private readonly Lock _gate = new();
    private IAdminClient? _admin;
    private string? _adminBootstrap;
    private bool _disposed;

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The check was disposed (the application is stopping).</exception>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        var servers = await bootstrapServers(cancellationToken);
        if (string.IsNullOrWhiteSpace(servers))
        {
            return HealthCheckResult.Unhealthy("The Kafka connection string is not available yet.");
        }

        try
        {
            var admin = AdminFor(servers);
            // GetMetadata blocks on librdkafka; keep it off the health-check caller's thread.
            var metadata = await Task.Run(() => admin.GetMetadata(timeout), cancellationToken);
            var missing = topics
                .Where(t => metadata.Topics.Find(m => m.Topic == t.Name && m.Error.Code == ErrorCode.NoError) is not { } found
                            || found.Partitions.Count < t.Partitions)
                .ToList();
            if (missing.Count == 0)
            {
                return HealthCheckResult.Healthy($"{metadata.Brokers.Count} broker(s); topics {string.Join(", ", topics.Select(t => t.Name))} ready.");
            }

            await CreateAsync(admin, missing);
            return HealthCheckResult.Unhealthy($"Creating topics: {string.Join(", ", missing.Select(t => t.Name))}.");
        }
        catch (KafkaException ex)
        {
            return HealthCheckResult.Unhealthy($"Kafka at {servers} did not answer: {ex.Error.Reason}", ex);
        }
    }

    private async Task CreateAsync(IAdminClient admin, IReadOnlyList<KafkaTopic> missing)
    {
        try
        {
            await admin.CreateTopicsAsync(
                missing.Select(t => new TopicSpecification { Name = t.Name, NumPartitions = t.Partitions, ReplicationFactor = t.ReplicationFactor }),
                new CreateTopicsOptions { OperationTimeout = timeout, RequestTimeout = timeout });
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Another creator won the race: the next check sees the topics.
        }
    }

    private IAdminClient AdminFor(string servers)
    {
        lock (_gate)
        {
            // Never build a client again once disposed: nothing would dispose that one.
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_admin is null || _adminBootstrap != servers)
            {
                _admin?.Dispose();
                _admin = new AdminClientBuilder(new AdminClientConfig
                {
                    BootstrapServers = servers,
                    SocketTimeoutMs = (int)timeout.TotalMilliseconds,
                }).SetLogHandler(static (_, _) => { }).Build();
                _adminBootstrap = servers;
            }

            return _admin;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _admin?.Dispose();
            _admin = null;
        }
    }
}
