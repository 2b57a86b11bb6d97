using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using UserAudit.ServiceDefaults.Kafka;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Registers Confluent.Kafka producers and consumers in DI, configured from the connection string
/// and configuration, with health checks, metrics, tracing and librdkafka logs routed to
/// <see cref="ILogger"/>: our counterpart of Aspire.Confluent.Kafka.
/// </summary>
public static partial class KafkaClientExtensions
{
    /// <summary>Configuration section of producer settings.</summary>
    public const string ProducerSection = "Kafka:Producer";

    /// <summary>Configuration section of consumer settings.</summary>
    public const string ConsumerSection = "Kafka:Consumer";

    /// <summary>Registers an <see cref="IProducer{TKey,TValue}"/> singleton for the Kafka connection <paramref name="connectionName"/>.</summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="connectionName">Name of the connection string (the AppHost's Kafka resource name).</param>
    /// <param name="configureSettings">Changes settings after configuration is read.</param>
    /// <param name="configureBuilder">Changes the producer builder (serializers, handlers).</param>
    /// <exception cref="InvalidOperationException">Settings are invalid; the message names the setting.</exception>
    public static void AddKafkaProducer<TKey, TValue>(this IHostApplicationBuilder builder, string connectionName,
        Action<KafkaProducerSettings>? configureSettings = null, Action<ProducerBuilder<TKey, TValue>>? configureBuilder = null) =>
        AddProducer(builder, connectionName, serviceKey: null, configureSettings, configureBuilder);

    /// <summary>Registers a keyed <see cref="IProducer{TKey,TValue}"/>; the key is <paramref name="name"/>, settings come from <c>Kafka:Producer:{name}</c> over <c>Kafka:Producer</c>.</summary>
    public static void AddKeyedKafkaProducer<TKey, TValue>(this IHostApplicationBuilder builder, string name,
        Action<KafkaProducerSettings>? configureSettings = null, Action<ProducerBuilder<TKey, TValue>>? configureBuilder = null) =>
        AddProducer(builder, name, serviceKey: name, configureSettings, configureBuilder);

    /// <summary>Registers an <see cref="IConsumer{TKey,TValue}"/> singleton for the Kafka connection <paramref name="connectionName"/>.</summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="connectionName">Name of the connection string (the AppHost's Kafka resource name).</param>
    /// <param name="configureSettings">Changes settings after configuration is read.</param>
    /// <param name="configureBuilder">Changes the consumer builder (deserializers). Rebalance handlers are the integration's: register an <see cref="IKafkaRebalanceListener"/> instead.</param>
    /// <exception cref="InvalidOperationException">Settings are invalid (no bootstrap servers, no group id); the message names the setting.</exception>
    public static void AddKafkaConsumer<TKey, TValue>(this IHostApplicationBuilder builder, string connectionName,
        Action<KafkaConsumerSettings>? configureSettings = null, Action<ConsumerBuilder<TKey, TValue>>? configureBuilder = null) =>
        AddConsumer(builder, connectionName, serviceKey: null, configureSettings, configureBuilder);

    /// <summary>Registers a keyed <see cref="IConsumer{TKey,TValue}"/>; the key is <paramref name="name"/>, settings come from <c>Kafka:Consumer:{name}</c> over <c>Kafka:Consumer</c>.</summary>
    public static void AddKeyedKafkaConsumer<TKey, TValue>(this IHostApplicationBuilder builder, string name,
        Action<KafkaConsumerSettings>? configureSettings = null, Action<ConsumerBuilder<TKey, TValue>>? configureBuilder = null) =>
        AddConsumer(builder, name, serviceKey: name, configureSettings, configureBuilder);

    private static void AddProducer<TKey, TValue>(IHostApplicationBuilder builder, string connectionName, string? serviceKey,
        Action<KafkaProducerSettings>? configureSettings, Action<ProducerBuilder<TKey, TValue>>? configureBuilder)
    {
        var settings = new KafkaProducerSettings();
        Prepare(builder, connectionName, ProducerSection, serviceKey, settings, settings.Config, configureSettings);
        IProducer<TKey, TValue> Create(IServiceProvider sp)
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger($"Confluent.Kafka.Producer.{connectionName}");
            var telemetry = sp.GetRequiredService<KafkaTelemetry>();
            var producerBuilder = new ProducerBuilder<TKey, TValue>(settings.Config)
                .SetLogHandler((_, message) => LogLibrdkafka(logger, message))
                .SetErrorHandler((_, error) => LogClientError(logger, error.Code, error.Reason, error.IsFatal));
            if (!settings.DisableMetrics && settings.StatisticsInterval > TimeSpan.Zero)
            {
                producerBuilder.SetStatisticsHandler((client, json) => telemetry.RecordStatistics(client.Name, json));
            }

            configureBuilder?.Invoke(producerBuilder);
            return producerBuilder.Build();
        }

        Register(builder.Services, serviceKey, Create);
        // The transport (publish and process spans) reads the client's settings, DisableTracing among them.
        Register(builder.Services, serviceKey, _ => settings);

        if (!settings.DisableHealthChecks)
        {
            var name = serviceKey is null ? $"kafka-producer-{connectionName}" : $"kafka-producer-{connectionName}-{serviceKey}";
            AddMetadataCheck(builder.Services, name, sp => Resolve<IProducer<TKey, TValue>>(sp, serviceKey).Handle, settings);
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                name, sp => sp.GetRequiredKeyedService<KafkaMetadataHealthCheck>(name), failureStatus: null, tags: ["kafka"]));
        }
    }

    private static void AddConsumer<TKey, TValue>(IHostApplicationBuilder builder, string connectionName, string? serviceKey,
        Action<KafkaConsumerSettings>? configureSettings, Action<ConsumerBuilder<TKey, TValue>>? configureBuilder)
    {
        var settings = new KafkaConsumerSettings();
        Prepare(builder, connectionName, ConsumerSection, serviceKey, settings, settings.Config, configureSettings);
        builder.Services.TryAddSingleton(TimeProvider.System);
        var monitorKey = serviceKey ?? "";
        builder.Services.AddKeyedSingleton(monitorKey, (sp, _) => new KafkaConsumerMonitor(sp.GetRequiredService<TimeProvider>()));

        IConsumer<TKey, TValue> Create(IServiceProvider sp)
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger($"Confluent.Kafka.Consumer.{connectionName}");
            var telemetry = sp.GetRequiredService<KafkaTelemetry>();
            var monitor = sp.GetRequiredKeyedService<KafkaConsumerMonitor>(monitorKey);
            // Resolved at the first rebalance, not now: the listener is usually the very service
            // that is being constructed with this consumer.
            var listenerSlot = new Lazy<IKafkaRebalanceListener?>(() =>
                serviceKey is null ? sp.GetService<IKafkaRebalanceListener>() : sp.GetKeyedService<IKafkaRebalanceListener>(serviceKey));
            var consumerBuilder = new ConsumerBuilder<TKey, TValue>(settings.Config)
                .SetLogHandler((_, message) => LogLibrdkafka(logger, message))
                .SetErrorHandler((_, error) =>
                {
                    telemetry.ConsumeFailures.Add(1, new KeyValuePair<string, object?>("error.type", error.Code.ToString()));
                    LogClientError(logger, error.Code, error.Reason, error.IsFatal);
                })
                .SetPartitionsAssignedHandler((consumer, partitions) =>
                {
                    monitor.Assigned();
                    LogRebalance(logger, "assigned", partitions);
                    listenerSlot.Value?.OnAssigned(partitions);
                })
                .SetPartitionsRevokedHandler((consumer, partitions) =>
                {
                    // Finish and store what was processed before the partitions go to another member.
                    var revoked = partitions.ConvertAll(p => p.TopicPartition);
                    listenerSlot.Value?.OnRevoked(revoked);
                    monitor.Revoked(lost: false);
                    LogRebalance(logger, "revoked", revoked);
                })
                .SetPartitionsLostHandler((consumer, partitions) =>
                {
                    var lost = partitions.ConvertAll(p => p.TopicPartition);
                    listenerSlot.Value?.OnLost(lost);
                    monitor.Revoked(lost: true);
                    LogRebalance(logger, "lost", lost);
                });
            if (!settings.DisableMetrics && settings.StatisticsInterval > TimeSpan.Zero)
            {
                consumerBuilder.SetStatisticsHandler((client, json) =>
                {
                    monitor.Polled(); // statistics are served from inside the application's poll
                    telemetry.RecordStatistics(client.Name, json);
                });
            }

            configureBuilder?.Invoke(consumerBuilder);
            return consumerBuilder.Build();
        }

        Register(builder.Services, serviceKey, Create);
        Register(builder.Services, serviceKey, _ => settings);

        if (!settings.DisableHealthChecks)
        {
            var name = serviceKey is null ? $"kafka-consumer-{connectionName}" : $"kafka-consumer-{connectionName}-{serviceKey}";
            AddMetadataCheck(builder.Services, name, sp => Resolve<IConsumer<TKey, TValue>>(sp, serviceKey).Handle, settings);
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                name,
                sp => new KafkaConsumerHealthCheck(
                    sp.GetRequiredKeyedService<KafkaMetadataHealthCheck>(name),
                    sp.GetRequiredKeyedService<KafkaConsumerMonitor>(monitorKey),
                    settings.MaxPollInterval),
                failureStatus: null, tags: ["kafka"]));
        }
    }

    private static string Bind(IConfiguration configuration, string root, string? serviceKey, KafkaClientSettings settings, ClientConfig config)
    {
        var sections = serviceKey is null ? [root] : new[] { root, $"{root}:{serviceKey}" };
        foreach (var name in sections)
        {
            var section = configuration.GetSection(name);
            var configSection = section.GetSection("Config");
            // Bound as their own types: the binder generated at compile time binds the properties of
            // the type it is given, so a base type would miss MaxPollInterval, LingerMs and the like.
            switch (settings)
            {
                case KafkaProducerSettings producer:
                    section.Bind(producer);
                    break;
                case KafkaConsumerSettings consumer:
                    section.Bind(consumer);
                    break;
            }

            switch (config)
            {
                case ProducerConfig producer:
                    configSection.Bind(producer);
                    break;
                case ConsumerConfig consumer:
                    configSection.Bind(consumer);
                    break;
            }

            // librdkafka's own dotted names ("linger.ms") are accepted too.
            foreach (var entry in configSection.GetChildren())
            {
                if (entry.Key.Contains('.', StringComparison.Ordinal) && entry.Value is not null)
                {
                    config.Set(entry.Key, entry.Value);
                }
            }
        }

        return sections[^1];
    }

    private static void ApplyStatistics(KafkaClientSettings settings, ClientConfig config)
    {
        if (!settings.DisableMetrics && settings.StatisticsInterval > TimeSpan.Zero)
        {
            config.StatisticsIntervalMs = (int)settings.StatisticsInterval.TotalMilliseconds;
        }
    }

    /// <summary>
    /// Reads, completes and validates settings (the section, then the connection string, then code), and adds the shared
    /// telemetry.
    /// </summary>
    private static void Prepare<TSettings>(IHostApplicationBuilder builder, string connectionName, string root, string? serviceKey,
        TSettings settings, ClientConfig config, Action<TSettings>? configureSettings)
        where TSettings : KafkaClientSettings
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        var section = Bind(builder.Configuration, root, serviceKey, settings, config);
        if (builder.Configuration.GetConnectionString(connectionName) is { } connectionString)
        {
            settings.ConnectionString = connectionString;
        }

        configureSettings?.Invoke(settings);
        if (!string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            config.BootstrapServers = settings.ConnectionString;
        }

        settings.Validate(connectionName, section, config);
        ApplyStatistics(settings, config);
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<KafkaTelemetry>();
    }

    private static void Register<T>(IServiceCollection services, string? serviceKey, Func<IServiceProvider, T> create)
        where T : class
    {
        if (serviceKey is null)
        {
            services.AddSingleton(create);
        }
        else
        {
            services.AddKeyedSingleton(serviceKey, (sp, _) => create(sp));
        }
    }

    /// <summary>
    /// One metadata check per client, a singleton keyed by the check's name. The health service
    /// calls a registration's factory on every run, so the factory only looks this instance up; it
    /// is created after its client and so disposed before it.
    /// </summary>
    private static void AddMetadataCheck(IServiceCollection services, string name, Func<IServiceProvider, Handle> clientHandle, KafkaClientSettings settings) =>
        services.AddKeyedSingleton(name, (sp, _) => new KafkaMetadataHealthCheck(clientHandle(sp), settings.HealthCheckTimeout));

    private static T Resolve<T>(IServiceProvider sp, string? key) where T : notnull =>
        key is null ? sp.GetRequiredService<T>() : sp.GetRequiredKeyedService<T>(key);

    private static void LogLibrdkafka(ILogger logger, LogMessage message)
    {
        var level = message.Level switch
        {
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
            SyslogLevel.Error => LogLevel.Error,
            SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        LogClientMessage(logger, level, message.Facility, message.Name, message.Message);
    }

    [LoggerMessage(Message = "librdkafka {Facility} [{Client}]: {Text}")]
    private static partial void LogClientMessage(ILogger logger, LogLevel level, string facility, string client, string text);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka client error {Code}: {Reason} (fatal: {IsFatal})")]
    private static partial void LogClientError(ILogger logger, ErrorCode code, string reason, bool isFatal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partitions {Change}: {Partitions}")]
    private static partial void LogRebalance(ILogger logger, string change, IEnumerable<TopicPartition> partitions);
}

/// <summary>
/// Hears a consumer's rebalances. Revocation is the moment to finish and store the offsets of
/// work already done on those partitions; it runs on the consuming thread, inside a poll.
/// </summary>
public interface IKafkaRebalanceListener
{
    /// <summary>Partitions were assigned.</summary>
    void OnAssigned(IReadOnlyList<TopicPartition> partitions);

    /// <summary>Partitions are about to be revoked; offsets can still be stored.</summary>
    void OnRevoked(IReadOnlyList<TopicPartition> partitions);

    /// <summary>Partitions were lost (the session expired); their offsets can no longer be committed.</summary>
    void OnLost(IReadOnlyList<TopicPartition> partitions);
}
