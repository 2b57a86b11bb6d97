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
    // One run at a time holds the admin client. librdkafka crashes the process when a client is
    // destroyed while another thread is inside a call on it, so Dispose never destroys the client
    // under a run: it does so at once when idle, else the run in flight does it as it ends.
    private readonly SemaphoreSlim _inUse = new(1, 1);
    private IAdminClient? _admin;
    private string? _adminBootstrap;
    private volatile bool _disposed;

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The check was disposed (the application is stopping).</exception>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var servers = await bootstrapServers(cancellationToken);
        if (string.IsNullOrWhiteSpace(servers))
        {
            return HealthCheckResult.Unhealthy("The Kafka connection string is not available yet.");
        }

        await _inUse.WaitAsync(cancellationToken);
        try
        {
            var admin = AdminFor(servers);
            // GetMetadata blocks on librdkafka; keep it off the health-check caller's thread. A
            // started call is awaited to its end even when the caller gives up.
            var metadata = await Task.Run(() => admin.GetMetadata(timeout), cancellationToken);
            var found = topics.ToDictionary(t => t, t => metadata.Topics.Find(m => m.Topic == t.Name && m.Error.Code == ErrorCode.NoError));
            // An existing topic is never altered: adding partitions would move keys to other
            // partitions, and with them the order of each user's events.
            var small = topics.Where(t => found[t] is { } topic && topic.Partitions.Count < t.Partitions).ToList();
            if (small.Count > 0)
            {
                return HealthCheckResult.Unhealthy(string.Join(" ", small.Select(t =>
                    $"Topic {t.Name} has {found[t]!.Partitions.Count} partition(s), fewer than the {t.Partitions} declared: add partitions to it"
                    + " (kafka-topics --alter) or declare fewer.")));
            }

            var missing = topics.Where(t => found[t] is null).ToList();
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
        finally
        {
            _inUse.Release();
            if (_disposed)
            {
                DisposeIfIdle();
            }
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

    /// <summary>The admin client for <paramref name="servers"/>; called only while holding the gate.</summary>
    private IAdminClient AdminFor(string servers)
    {
        // Never build a client once disposed: nothing would dispose that one.
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

    /// <summary>Disposes the admin client now when no run holds it, else when that run ends.</summary>
    public void Dispose()
    {
        _disposed = true;
        DisposeIfIdle();
    }

    // Both sides set or see the flag first and then try the gate, so whichever comes last disposes.
    private void DisposeIfIdle()
    {
        if (_inUse.Wait(0))
        {
            _admin?.Dispose();
            _admin = null;
            _inUse.Release();
        }
    }
}
