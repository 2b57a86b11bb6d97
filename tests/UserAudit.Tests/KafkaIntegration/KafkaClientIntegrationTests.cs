using System.Diagnostics;
using CloudNative.CloudEvents;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using UserAudit.CloudEvents;
using UserAudit.KafkaBroker.MockCluster;
using UserAudit.ServiceDefaults.Kafka;
using Xunit;

namespace UserAudit.Tests.KafkaIntegration;

/// <summary>Our Aspire.Confluent.Kafka counterpart against an in-process mock cluster.</summary>
public sealed class KafkaClientIntegrationTests : IDisposable
{
    private readonly MockKafkaCluster _cluster = MockKafkaCluster.Start();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _cluster.Dispose();

    private HostApplicationBuilder Host(params (string Key, string? Value)[] settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(
            new[] { new KeyValuePair<string, string?>("ConnectionStrings:kafka", _cluster.Bootstraps) }
                .Concat(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))));
        return builder;
    }

    private static async Task<HealthReport> HealthAsync(IServiceProvider services) =>
        await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Ct);

    [Fact]
    public void A_consumer_without_a_group_id_is_rejected_at_start_naming_the_setting()
    {
        var builder = Host();

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddKafkaConsumer<string, string>("kafka"));

        Assert.Contains("Kafka:Consumer:Config:GroupId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_without_bootstrap_servers_is_rejected_at_start_naming_the_connection_string()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddKafkaProducer<string, string>("kafka"));

        Assert.Contains("ConnectionStrings:kafka", error.Message, StringComparison.Ordinal);
    }

    // As Aspire.Confluent.Kafka: the connection string wins over the section's, and the section's
    // Config:BootstrapServers may name the servers alone.
    [Fact]
    public void The_connection_string_wins_over_the_sections_and_config_bootstrap_servers_may_stand_alone()
    {
        var named = Host(("Kafka:Producer:ConnectionString", "elsewhere:9092"));
        var alone = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        alone.Configuration.AddInMemoryCollection([new KeyValuePair<string, string?>("Kafka:Producer:Config:BootstrapServers", _cluster.Bootstraps)]);
        KafkaProducerSettings? fromNamed = null;
        KafkaProducerSettings? fromAlone = null;

        named.AddKafkaProducer<string, string>("kafka", s => fromNamed = s);
        alone.AddKafkaProducer<string, string>("kafka", s => fromAlone = s);

        Assert.Equal(_cluster.Bootstraps, fromNamed?.ConnectionString);
        Assert.Equal(_cluster.Bootstraps, fromNamed?.Config.BootstrapServers);
        Assert.Null(fromAlone?.ConnectionString);
        Assert.Equal(_cluster.Bootstraps, fromAlone?.Config.BootstrapServers);
    }

    [Fact]
    public void Settings_are_bound_from_configuration_including_librdkafka_dotted_names()
    {
        var builder = Host(("Kafka:Producer:Config:LingerMs", "7"), ("Kafka:Producer:Config:compression.type", "lz4"), ("Kafka:Producer:HealthCheckTimeout", "00:00:02"));
        KafkaProducerSettings? seen = null;

        builder.AddKafkaProducer<string, string>("kafka", s => seen = s);

        Assert.NotNull(seen);
        Assert.Equal(7, seen.Config.LingerMs);
        Assert.Equal(CompressionType.Lz4, seen.Config.CompressionType);
        Assert.Equal(TimeSpan.FromSeconds(2), seen.HealthCheckTimeout);
        Assert.True(seen.Config.EnableIdempotence);
        Assert.Equal(Acks.All, seen.Config.Acks);
        Assert.Equal(_cluster.Bootstraps, seen.Config.BootstrapServers);
    }

    [Fact]
    public void Consumer_settings_and_config_are_bound_as_the_consumers_own_types()
    {
        // The configuration binder generated at compile time sees only the type it is given: these
        // are properties of KafkaConsumerSettings and ConsumerConfig, not of their base types.
        var builder = Host(("Kafka:Consumer:Config:GroupId", "bound"), ("Kafka:Consumer:Config:SessionTimeoutMs", "3000"),
            ("Kafka:Consumer:Config:AutoOffsetReset", "Earliest"), ("Kafka:Consumer:MaxPollInterval", "00:00:45"));
        KafkaConsumerSettings? seen = null;

        builder.AddKafkaConsumer<string, string>("kafka", s => seen = s);

        Assert.NotNull(seen);
        Assert.Equal("bound", seen.Config.GroupId);
        Assert.Equal(3000, seen.Config.SessionTimeoutMs);
        Assert.Equal(AutoOffsetReset.Earliest, seen.Config.AutoOffsetReset);
        Assert.Equal(TimeSpan.FromSeconds(45), seen.MaxPollInterval);
    }

    [Fact]
    public void Consumer_prefetch_is_bounded_unless_configuration_says_otherwise()
    {
        KafkaConsumerSettings? defaults = null, configured = null;

        Host(("Kafka:Consumer:Config:GroupId", "g")).AddKafkaConsumer<string, string>("kafka", s => defaults = s);
        Host(("Kafka:Consumer:Config:GroupId", "g"), ("Kafka:Consumer:Config:queued.min.messages", "100000"), ("Kafka:Consumer:Config:FetchQueueBackoffMs", "1000"))
            .AddKafkaConsumer<string, string>("kafka", s => configured = s);

        // librdkafka's own defaults are 100,000 and 1,000 ms: a backlog would be fetched into memory.
        Assert.Equal(1000, defaults?.Config.QueuedMinMessages);
        Assert.Equal(10, defaults?.Config.FetchQueueBackoffMs);
        Assert.Equal(100_000, configured?.Config.QueuedMinMessages);
        Assert.Equal(1000, configured?.Config.FetchQueueBackoffMs);
    }

    [Fact]
    public void Keyed_producers_are_registered_under_their_name()
    {
        var builder = Host();
        builder.AddKeyedKafkaProducer<string, string>("audit-producer", s => s.ConnectionString = _cluster.Bootstraps);
        using var host = builder.Build();

        Assert.NotNull(host.Services.GetRequiredKeyedService<IProducer<string, string>>("audit-producer"));
        Assert.Null(host.Services.GetService<IProducer<string, string>>());
    }

    [Fact]
    public async Task Producer_health_asks_the_cluster_for_metadata_and_reports_a_broker_that_went_away()
    {
        var builder = Host(("Kafka:Producer:HealthCheckTimeout", "00:00:01"));
        builder.AddKafkaProducer<string, string>("kafka");
        using var host = builder.Build();

        Assert.Equal(HealthStatus.Healthy, (await HealthAsync(host.Services)).Status);

        _cluster.SetBrokerDown(1);
        var down = await HealthAsync(host.Services);
        _cluster.SetBrokerUp(1);

        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Contains("did not answer", down.Entries["kafka-producer-kafka"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_health_run_uses_the_one_metadata_check_of_its_client_and_the_host_disposes_it()
    {
        var builder = Host();
        builder.AddKafkaProducer<string, string>("kafka");
        builder.AddKafkaConsumer<string, string>("kafka", s => s.Config.GroupId = "health-" + Guid.NewGuid());
        var host = builder.Build();
        var registrations = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>().Value.Registrations;
        var producerCheck = registrations.Single(r => r.Name == "kafka-producer-kafka");
        var consumerCheck = registrations.Single(r => r.Name == "kafka-consumer-kafka");

        // The health service calls the factory on every run, each time in a new scope.
        IHealthCheck first, second;
        using (var scope = host.Services.CreateScope())
        {
            first = producerCheck.Factory(scope.ServiceProvider);
            Assert.Equal(HealthStatus.Healthy, (await consumerCheck.Factory(scope.ServiceProvider).CheckHealthAsync(new() { Registration = consumerCheck }, Ct)).Status);
        }

        using (var scope = host.Services.CreateScope())
        {
            second = producerCheck.Factory(scope.ServiceProvider);
        }

        Assert.Same(first, second);
        host.Dispose();
        var after = await first.CheckHealthAsync(new() { Registration = producerCheck }, Ct);
        Assert.Equal(HealthStatus.Unhealthy, after.Status);
        Assert.Contains("shutting down", after.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disposing_the_metadata_check_waits_for_the_run_in_flight_so_the_client_outlives_every_call()
    {
        using var producer = new ProducerBuilder<Null, Null>(new ProducerConfig { BootstrapServers = _cluster.Bootstraps }).Build();
        var check = new KafkaMetadataHealthCheck(producer.Handle, TimeSpan.FromSeconds(5));
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("p", check, null, null) };
        _cluster.SetBrokerRoundTrip(1, TimeSpan.FromMilliseconds(400));

        // The run holds the check from the moment it is called; its metadata call takes a round trip or more.
        var inFlight = check.CheckHealthAsync(context, Ct);
        check.Dispose();

        Assert.True(inFlight.IsCompleted, "Dispose returned while a check still used the client's handle.");
        Assert.Equal(HealthStatus.Healthy, (await inFlight).Status);
        Assert.Contains("shutting down", (await check.CheckHealthAsync(context, Ct)).Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Health_checks_can_be_switched_off()
    {
        var builder = Host(("Kafka:Producer:DisableHealthChecks", "true"));
        builder.AddKafkaProducer<string, string>("kafka");
        using var host = builder.Build();

        var registrations = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>().Value.Registrations;
        Assert.DoesNotContain(registrations, r => r.Name.StartsWith("kafka-producer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Consumer_health_reports_a_consumer_that_stopped_polling()
    {
        var clock = new ManualClock();
        var monitor = new KafkaConsumerMonitor(clock);
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = _cluster.Bootstraps, GroupId = "stall-" + Guid.NewGuid() }).Build();
        using var metadata = new KafkaMetadataHealthCheck(consumer.Handle, TimeSpan.FromSeconds(2));
        var check = new KafkaConsumerHealthCheck(metadata, monitor, TimeSpan.FromSeconds(30));
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("c", check, null, null) };

        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context, Ct)).Status);

        clock.Advance(TimeSpan.FromSeconds(31));
        var stalled = await check.CheckHealthAsync(context, Ct);

        Assert.Equal(HealthStatus.Unhealthy, stalled.Status);
        Assert.Contains("has not polled", stalled.Description, StringComparison.Ordinal);

        monitor.Polled();
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context, Ct)).Status);
    }

    [Fact]
    public async Task Publishing_records_a_publish_span_and_delivery_metrics()
    {
        var metrics = new List<Metric>();
        var spans = new List<Activity>();
        var builder = Host(("Kafka:Producer:StatisticsInterval", "00:00:00"));
        builder.Services.AddOpenTelemetry()
            .WithMetrics(m => m.AddMeter(UserAuditTelemetry.Kafka).AddInMemoryExporter(metrics))
            .WithTracing(t => t.AddSource(UserAuditTelemetry.Kafka).AddInMemoryExporter(spans));
        builder.AddKafkaProducer<string?, byte[]?>("kafka");
        builder.Services.AddSingleton<CloudEventKafkaPublisher>();
        using var host = builder.Build();
        await host.StartAsync(Ct);
        _cluster.CreateTopic("metrics-test", 1);

        var cloudEvent = new CloudEvent
        {
            Id = Guid.NewGuid().ToString(),
            Source = new Uri("urn:test"),
            Type = "org.useraudit.test.v1",
            DataContentType = "application/json",
            Data = System.Text.Json.JsonDocument.Parse("""{"id":"1"}""").RootElement,
        };
        var result = await host.Services.GetRequiredService<CloudEventKafkaPublisher>().PublishAsync("metrics-test", "key-1", cloudEvent, default, Ct);
        host.Services.GetRequiredService<MeterProvider>().ForceFlush();
        host.Services.GetRequiredService<TracerProvider>().ForceFlush();
        await host.StopAsync(Ct);

        var sent = Assert.Single(metrics, m => m.Name == "messaging.client.sent.messages");
        long total = 0;
        foreach (ref readonly var point in sent.GetMetricPoints())
        {
            total += point.GetSumLong();
        }

        Assert.Equal(1, total);
        Assert.Contains(metrics, m => m.Name == "messaging.client.operation.duration");
        var span = Assert.Single(spans, s => s.OperationName == "publish metrics-test");
        Assert.Equal(ActivityKind.Producer, span.Kind);
        Assert.Equal("kafka", span.GetTagItem("messaging.system"));
        Assert.Equal(cloudEvent.Id, span.GetTagItem("messaging.message.id"));
        Assert.Equal(result.Offset.Value, span.GetTagItem("messaging.kafka.offset"));
        // The event carries the publish span's context, so the consumer's span continues this trace.
        Assert.StartsWith($"00-{span.TraceId}-{span.SpanId}-", Assert.IsType<string>(cloudEvent["traceparent"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_tracing_disabled_a_publish_records_no_span_but_passes_the_callers_context_on()
    {
        var spans = new List<Activity>();
        var builder = Host(("Kafka:Producer:DisableTracing", "true"), ("Kafka:Producer:StatisticsInterval", "00:00:00"));
        builder.Services.AddOpenTelemetry().WithTracing(t => t.AddSource(UserAuditTelemetry.Kafka).AddInMemoryExporter(spans));
        builder.AddKafkaProducer<string?, byte[]?>("kafka");
        builder.Services.AddSingleton<CloudEventKafkaPublisher>();
        using var host = builder.Build();
        await host.StartAsync(Ct);
        _cluster.CreateTopic("untraced", 1);
        var caller = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var cloudEvent = new CloudEvent { Id = Guid.NewGuid().ToString(), Source = new Uri("urn:test"), Type = "org.useraudit.test.v1" };

        await host.Services.GetRequiredService<CloudEventKafkaPublisher>().PublishAsync("untraced", "key", cloudEvent, caller, Ct);
        host.Services.GetRequiredService<TracerProvider>().ForceFlush();
        await host.StopAsync(Ct);

        Assert.Empty(spans);
        Assert.True(cloudEvent.TryGetTraceContext(out var carried));
        Assert.Equal(caller.TraceId, carried.TraceId);
        Assert.Equal(caller.SpanId, carried.SpanId);
    }

    [Fact]
    public void With_tracing_disabled_a_consumer_starts_no_process_span()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == UserAuditTelemetry.Kafka,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var result = new ConsumeResult<string, byte[]?>
        {
            TopicPartitionOffset = new TopicPartitionOffset("audit", 0, 1),
            Message = new Message<string, byte[]?> { Headers = [] },
        };

        using var traced = CloudEventKafkaTracing.StartProcess(result, null, new KafkaConsumerSettings());
        using var untraced = CloudEventKafkaTracing.StartProcess(result, null, new KafkaConsumerSettings { DisableTracing = true });

        Assert.NotNull(traced);
        Assert.Null(untraced);
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
