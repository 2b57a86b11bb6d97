using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using UserAudit.KafkaBroker.MockCluster;

namespace UserAudit.KafkaBroker.Hosting;

/// <summary>
/// Runs the mock cluster for the lifetime of the host: starts it, creates the configured topics,
/// serves it on the configured port and reports healthy only once all of that is done.
/// </summary>
public sealed partial class EmbeddedBroker(IOptions<EmbeddedBrokerOptions> options, IOptions<BrokerControlOptions> control, ILogger<EmbeddedBroker> logger)
    : IHostedService, IHealthCheck, IAsyncDisposable
{
    private readonly EmbeddedBrokerOptions _options = options.Value;
    private readonly BrokerControlOptions _control = control.Value;
    private readonly HashSet<int> _brokersDown = [];
    private readonly Lock _topicsGate = new();
    private readonly List<(string Name, int Partitions)> _topics = [];
    private int _createdTopics;
    private int _createdPartitions;
    private MockKafkaCluster? _cluster;
    private TcpForwarder? _forwarder;

    /// <summary>The running cluster.</summary>
    /// <exception cref="InvalidOperationException">The broker has not started.</exception>
    public MockKafkaCluster Cluster => _cluster ?? throw new InvalidOperationException("The embedded broker has not started.");

    /// <summary>The address clients use (advertised host and port).</summary>
    public string BootstrapServers { get; private set; } = "";

    /// <summary>Topics created at start and through the control API.</summary>
    public IReadOnlyList<(string Name, int Partitions)> Topics
    {
        get { lock (_topicsGate) { return [.. _topics]; } }
    }

    /// <summary>Ids of brokers taken down through fault injection.</summary>
    public IReadOnlyCollection<int> BrokersDown
    {
        get { lock (_brokersDown) { return [.. _brokersDown]; } }
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var declared = _options.ParseTopics();
        if (_options.InitialRebalanceDelayMs < 0)
        {
            throw new OptionsValidationException(nameof(EmbeddedBrokerOptions), typeof(EmbeddedBrokerOptions), ["InitialRebalanceDelayMs must not be negative."]);
        }

        var cluster = MockKafkaCluster.Start(1, TimeSpan.FromMilliseconds(_options.InitialRebalanceDelayMs));
        _cluster = cluster;
        var target = ParseFirst(cluster.Bootstraps);
        _forwarder = TcpForwarder.Start(_options.Port, target, logger);
        var advertisedPort = _options.AdvertisedPort is > 0 ? _options.AdvertisedPort.Value : _forwarder.Port;
        cluster.Advertise(1, _options.AdvertisedHost, advertisedPort);
        BootstrapServers = $"{_options.AdvertisedHost}:{advertisedPort}";

        foreach (var (name, partitions) in declared)
        {
            cluster.CreateTopic(name, partitions);
            lock (_topicsGate)
            {
                _topics.Add((name, partitions));
            }

            LogTopicCreated(logger, name, partitions);
        }

        LogStarted(logger, BootstrapServers, _forwarder.Port, cluster.Bootstraps, Librdkafka.LoadedPath);
        LogRetentionLimit(logger);
        await Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    /// <summary>
    /// Creates a topic for the control API, within <see cref="BrokerControlOptions"/>' caps on how
    /// many topics and partitions it may create in all.
    /// </summary>
    /// <exception cref="BrokerLimitException">A cap would be exceeded; nothing is created.</exception>
    /// <exception cref="MockClusterException">The mock cluster refused it (the topic exists, for one).</exception>
    public void CreateTopic(string name, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        lock (_topicsGate)
        {
            if (_createdTopics >= _control.MaxTopics)
            {
                throw new BrokerLimitException($"The control API creates at most {_control.MaxTopics} topics (Broker:Control:MaxTopics), and has created {_createdTopics}.");
            }

            if (_createdPartitions + partitions > _control.MaxPartitions)
            {
                throw new BrokerLimitException(
                    $"The control API creates at most {_control.MaxPartitions} partitions in all (Broker:Control:MaxPartitions); "
                    + $"{_control.MaxPartitions - _createdPartitions} are left, {partitions} were asked for.");
            }

            Cluster.CreateTopic(name, partitions);
            _topics.Add((name, partitions));
            _createdTopics++;
            _createdPartitions += partitions;
        }

        LogTopicCreated(logger, name, partitions);
    }

    /// <summary>Takes a broker down (clients see a broker that went away) or brings it back.</summary>
    public void SetBrokerState(int brokerId, bool up)
    {
        if (up)
        {
            Cluster.SetBrokerUp(brokerId);
        }
        else
        {
            Cluster.SetBrokerDown(brokerId);
        }

        lock (_brokersDown)
        {
            if (up)
            {
                _brokersDown.Remove(brokerId);
            }
            else
            {
                _brokersDown.Add(brokerId);
            }
        }

        LogBrokerState(logger, brokerId, up ? "up" : "down");
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_cluster is null || _forwarder is null)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The embedded broker is starting."));
        }

        var down = BrokersDown;
        var data = new Dictionary<string, object>
        {
            ["bootstrapServers"] = BootstrapServers,
            ["topics"] = string.Join(",", Topics.Select(t => $"{t.Name}:{t.Partitions}")),
        };
        return Task.FromResult(down.Count == 0
            ? HealthCheckResult.Healthy("Serving " + BootstrapServers, data)
            : HealthCheckResult.Degraded($"Broker(s) {string.Join(",", down)} taken down by fault injection.", data: data));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_forwarder is not null)
        {
            await _forwarder.DisposeAsync();
            _forwarder = null;
        }

        _cluster?.Dispose();
        _cluster = null;
    }

    private static IPEndPoint ParseFirst(string bootstraps)
    {
        var first = bootstraps.Split(',')[0];
        return IPEndPoint.Parse(first);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Embedded Kafka broker (in-memory, development and test only) serving {BootstrapServers} on port {Port}; "
            + "mock cluster at {MockBootstraps}; librdkafka {LibraryPath}")]
    private static partial void LogStarted(ILogger logger, string bootstrapServers, int port, string mockBootstraps, string? libraryPath);

    // Measured: a partition keeps about 10,000 UserService events (about 5 MB); the mock cluster has no setting for it.
    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The mock cluster keeps only about 5 MB per partition and drops older messages even when no consumer has read them: "
            + "a consumer that stays away through more than that loses them. Use a real Kafka for anything that matters")]
    private static partial void LogRetentionLimit(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created topic {Topic} with {Partitions} partition(s)")]
    private static partial void LogTopicCreated(ILogger logger, string topic, int partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fault injection: broker {BrokerId} is now {State}")]
    private static partial void LogBrokerState(ILogger logger, int brokerId, string state);
}
