using Confluent.Kafka;

namespace UserAudit.ServiceDefaults.Kafka;

/// <summary>What producers and consumers share.</summary>
public abstract class KafkaClientSettings
{
    /// <summary>
    /// Bootstrap servers. <c>ConnectionStrings:{name}</c>, when present, replaces the value bound from
    /// the settings section, as in Aspire.Confluent.Kafka; whatever is set last (code may set it too)
    /// is copied to the client's <c>bootstrap.servers</c>. Without one, <c>Config:BootstrapServers</c>
    /// may name them alone.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Turns off the health check.</summary>
    public bool DisableHealthChecks { get; set; }

    /// <summary>
    /// Turns off this client's spans (<c>publish</c> for a producer, <c>process</c> for a consumer).
    /// The caller's trace context still travels with each event, so traces on either side stay linked.
    /// </summary>
    public bool DisableTracing { get; set; }

    /// <summary>Turns off metrics (librdkafka statistics and our counters).</summary>
    public bool DisableMetrics { get; set; }

    /// <summary>How long the health check waits for the cluster's Metadata answer.</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often librdkafka reports statistics for metrics; 0 turns statistics off.</summary>
    public TimeSpan StatisticsInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Checks the settings, naming what is wrong.</summary>
    /// <exception cref="InvalidOperationException">A setting is missing or out of range.</exception>
    internal virtual void Validate(string connectionName, string section, ClientConfig config)
    {
        if (string.IsNullOrWhiteSpace(config.BootstrapServers))
        {
            throw new InvalidOperationException(
                $"Kafka client '{connectionName}': no bootstrap servers. Set ConnectionStrings:{connectionName}, {section}:ConnectionString or {section}:Config:BootstrapServers.");
        }

        if (HealthCheckTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Kafka client '{connectionName}': {section}:HealthCheckTimeout must be positive.");
        }

        if (StatisticsInterval < TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Kafka client '{connectionName}': {section}:StatisticsInterval must not be negative.");
        }
    }
}

/// <summary>Producer settings, bound from <c>Kafka:Producer</c> (and <c>Kafka:Producer:{name}</c> for keyed producers).</summary>
public sealed class KafkaProducerSettings : KafkaClientSettings
{
    /// <summary>librdkafka producer configuration (section <c>Config</c>). Idempotence and acks=all are on by default.</summary>
    public ProducerConfig Config { get; } = new()
    {
        EnableIdempotence = true,
        Acks = Acks.All,
        LingerMs = 2,
        // A broker that goes away is reported once through the error handler; a log line for
        // every refused reconnect only buries it.
        LogConnectionClose = false,
    };
}

/// <summary>Consumer settings, bound from <c>Kafka:Consumer</c> (and <c>Kafka:Consumer:{name}</c> for keyed consumers).</summary>
public sealed class KafkaConsumerSettings : KafkaClientSettings
{
    /// <summary>
    /// librdkafka consumer configuration (section <c>Config</c>). Offsets are stored by the application
    /// after processing. Prefetch is bounded: 1,000 messages a partition, topped up every 10 ms.
    /// </summary>
    public ConsumerConfig Config { get; } = new()
    {
        EnableAutoOffsetStore = false,
        EnableAutoCommit = true,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
        LogConnectionClose = false,
        // librdkafka fetches ahead until a partition holds 100,000 messages, then waits a second
        // before it looks again: a consumer catching up on a backlog held 64 MiB of fetched records
        // (docs/benchmarks.md, "The consumer's prefetch"). 1,000 a partition, looked at every 10 ms,
        // caught up as fast with about 70 MiB less resident memory.
        QueuedMinMessages = 1000,
        FetchQueueBackoffMs = 10,
    };

    /// <summary>The health check reports unhealthy when the application has not polled for this long.</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(30);

    internal override void Validate(string connectionName, string section, ClientConfig config)
    {
        base.Validate(connectionName, section, config);
        if (string.IsNullOrWhiteSpace(Config.GroupId))
        {
            throw new InvalidOperationException(
                $"Kafka consumer '{connectionName}': no consumer group. Set {section}:Config:GroupId.");
        }

        if (MaxPollInterval <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Kafka consumer '{connectionName}': {section}:MaxPollInterval must be positive.");
        }
    }
}
