using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UserAudit.AppHost.Hosting;

namespace UserAudit.AppHost.Kafka;

/// <summary>
/// Adds Kafka to an Aspire application in one of three shapes (container, embedded, external)
/// that all expose the same connection string: the bootstrap servers.
/// </summary>
public static partial class KafkaHostingExtensions
{
    /// <summary>
    /// Adds the <c>kafka</c> resource in the mode configuration asks for (<c>Kafka:Mode</c>:
    /// auto, container, embedded or external), declares <paramref name="topics"/> on it, and logs
    /// which mode was chosen and why.
    /// </summary>
    /// <typeparam name="TBrokerProject">The embedded broker project (used in embedded mode).</typeparam>
    public static IResourceBuilder<IResourceWithConnectionString> AddKafkaForMode<TBrokerProject>(
        this IDistributedApplicationBuilder builder, string name, params KafkaTopic[] topics)
        where TBrokerProject : IProjectMetadata, new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var options = KafkaHostingOptions.From(configuration);
        var decision = KafkaModeSelector.Select(
            options.Mode,
            configuration[$"ConnectionStrings:{name}"],
            builder.ExecutionContext.IsPublishMode,
            () => ContainerRuntimeProbe.FromConfiguration(configuration, options.ProbeTimeout).Probe());

        IResourceBuilder<IResourceWithConnectionString> kafka = decision.Mode switch
        {
            KafkaMode.Container => ContainerFromOptions(builder, name, options).WithTopics(topics),
            KafkaMode.External => builder.AddExternalKafka(name, configuration[$"ConnectionStrings:{name}"]!).WithTopics(topics),
            // Under Aspire.Hosting.Testing (ports randomized, applications side by side) the embedded
            // broker takes a free port instead: it binds its port itself, so no proxy moves it.
            _ => builder.AddEmbeddedKafka<TBrokerProject>(name, PortPreflight.PortsRandomized(configuration) ? null : options.Port)
                .WithFaultCommands(builder.Environment.IsDevelopment()).WithTopics(topics),
        };

        kafka.Announce(builder, LogCategory, logger => LogModeChosen(logger, decision.Mode, decision.Reason));
        return kafka;
    }

    /// <summary>Log category of the AppHost's Kafka messages.</summary>
    public const string LogCategory = "UserAudit.AppHost.Kafka";

    /// <summary>
    /// Gives <paramref name="builder"/> the <paramref name="kafka"/> connection string and starts it
    /// only once Kafka is healthy. On the embedded broker it also shortens the consumers' fetch wait:
    /// librdkafka's mock cluster answers a fetch that finds no data only after the consumer's whole
    /// <c>fetch.wait.max.ms</c> (500 ms by default) instead of as soon as data arrives, as a real broker
    /// does, which would add a quarter of a second to every event's journey on average. And it shortens
    /// the consumers' session: the mock's group coordinator holds every rebalance of a group that has
    /// members for the session timeout less one second, where a real broker ends it once the members
    /// have rejoined. With AuditService's 10 s session a second replica, or a restarted one, waited
    /// 9 s per rebalance round (two rounds under the cooperative protocol) before it read anything.
    /// </summary>
    public static IResourceBuilder<T> WithKafkaReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithConnectionString> kafka)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport
    {
        ArgumentNullException.ThrowIfNull(kafka);
        builder.WithReference(kafka).WaitFor(kafka);
        if (kafka.Resource is EmbeddedKafkaResource)
        {
            builder.WithEnvironment("Kafka__Consumer__Config__FetchWaitMaxMs", EmbeddedFetchWaitMs)
                .WithEnvironment("Kafka__Consumer__Config__SessionTimeoutMs", EmbeddedSessionTimeoutMs)
                .WithEnvironment("Kafka__Consumer__Config__HeartbeatIntervalMs", EmbeddedHeartbeatIntervalMs);
        }

        return builder;
    }

    /// <summary>Consumers' <c>fetch.wait.max.ms</c> on the embedded broker.</summary>
    public const string EmbeddedFetchWaitMs = "10";

    /// <summary>
    /// Consumers' <c>session.timeout.ms</c> on the embedded broker: a rebalance there takes 2 s, and a
    /// killed consumer's partitions pass to another after 3 s. The broker runs on the same machine, so
    /// a missed heartbeat is the process being gone, not the network.
    /// </summary>
    public const string EmbeddedSessionTimeoutMs = "3000";

    /// <summary>Consumers' <c>heartbeat.interval.ms</c> on the embedded broker, a third of its session timeout.</summary>
    public const string EmbeddedHeartbeatIntervalMs = "1000";

    private static IResourceBuilder<KafkaServerResource> ContainerFromOptions(IDistributedApplicationBuilder builder, string name, KafkaHostingOptions options)
    {
        var kafka = builder.AddKafka(name, options.Port);
        if (options.DataVolume)
        {
            kafka.WithDataVolume();
        }

        if (options.UI)
        {
            kafka.WithKafkaUI(options.UIPort);
        }

        return kafka;
    }

    /// <summary>
    /// Adds the embedded in-memory broker (librdkafka's mock cluster hosted by
    /// <typeparamref name="TBrokerProject"/>), served on <paramref name="port"/>. For development and
    /// tests only, so it is refused when publishing: a deployment would otherwise run the in-memory
    /// mock as its Kafka.
    /// </summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="name">Resource name.</param>
    /// <param name="port">Port clients connect to; a free one when null.</param>
    /// <exception cref="InvalidOperationException">The AppHost is publishing.</exception>
    public static IResourceBuilder<EmbeddedKafkaResource> AddEmbeddedKafka<TBrokerProject>(this IDistributedApplicationBuilder builder, string name, int? port = null)
        where TBrokerProject : IProjectMetadata, new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.ExecutionContext.IsPublishMode)
        {
            throw new InvalidOperationException(
                $"The embedded Kafka broker '{name}' is an in-memory development broker and is never published; "
                + "publish the Kafka container (AddKafka) or an external cluster (AddExternalKafka) instead.");
        }

        var kafka = new EmbeddedKafkaResource(name);
#pragma warning disable ASPIREPROJECTS001 // the same defaults AddProject applies; evaluation API of the pinned Aspire version
        return builder.AddResource(kafka)
            .WithAnnotation<IProjectMetadata>(new TBrokerProject())
            .WithProjectDefaults(new ProjectResourceOptions { ExcludeLaunchProfile = true })
            // The broker binds its HTTP port on loopback itself: given as a plain port, not as
            // ASPNETCORE_HTTP_PORTS, which Kestrel binds on every interface.
            .WithHttpEndpoint(env: "Broker__HttpPort")
            // DCP passes no environment name to projects: without this the broker always runs as
            // Production and its fault-injection API, mapped in Development only, would be missing
            // from every development run and test.
            .WithEnvironment("DOTNET_ENVIRONMENT", builder.Environment.EnvironmentName)
            // Not proxied: the broker's process binds the port itself and clients reach it directly.
            // Through DCP's proxy every Kafka request (the consumers fetch every 10 ms here) was
            // copied once more, by one more process.
            .WithEndpoint(port: port ?? FreeLoopbackPort(), name: KafkaEndpoints.Primary, scheme: "tcp", env: "Broker__Port", isProxied: false)
            .WithEnvironment("Broker__AdvertisedHost", kafka.PrimaryEndpoint.Property(EndpointProperty.Host))
            .WithEnvironment("Broker__AdvertisedPort", kafka.PrimaryEndpoint.Property(EndpointProperty.Port))
            .WithHttpHealthCheck("/health");
#pragma warning restore ASPIREPROJECTS001
    }

    /// <summary>Uses an existing cluster; nothing is started. Its health is checked like the others.</summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="name">Resource name.</param>
    /// <param name="bootstrapServers">Comma-separated <c>host:port</c> list.</param>
    public static IResourceBuilder<ExternalKafkaResource> AddExternalKafka(this IDistributedApplicationBuilder builder, string name, string bootstrapServers)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        var kafka = builder.AddResource(new ExternalKafkaResource(name, bootstrapServers))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Kafka (external)",
                State = KnownResourceStates.Starting,
                Properties = [new("kafka.bootstrap.servers", bootstrapServers)],
            });

        // Nothing runs for an external cluster; declare it running so its health check decides readiness.
        builder.Eventing.Subscribe<BeforeStartEvent>(async (e, _) =>
        {
            var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
            await notifications.PublishUpdateAsync(kafka.Resource, s => s with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
            });
        });
        return kafka;
    }

    /// <summary>
    /// Declares topics on a Kafka resource: the embedded broker creates them at start, other modes
    /// get them from a health check that creates what is missing. Resources that wait for this one
    /// start only when the topics exist.
    /// </summary>
    public static IResourceBuilder<T> WithTopics<T>(this IResourceBuilder<T> builder, params KafkaTopic[] topics)
        where T : IResourceWithConnectionString
    {
        ArgumentNullException.ThrowIfNull(builder);
        var resource = builder.Resource;
        builder.WithAnnotation(new KafkaTopicsAnnotation(topics));

        if (resource is EmbeddedKafkaResource)
        {
            builder.WithAnnotation(new EnvironmentCallbackAnnotation(context =>
            {
                for (var i = 0; i < topics.Length; i++)
                {
                    context.EnvironmentVariables[$"Broker__Topics__{i}"] = topics[i].ToString();
                }
            }));
        }

        // The health-check service calls a registration's factory on every run: handing it one
        // instance per resource, owned by the container, keeps one admin client (one librdkafka
        // instance with its threads and connections) for the application's life and disposes it
        // with the application, instead of leaking a new one every few seconds.
        var key = $"{resource.Name}-topics";
        var services = builder.ApplicationBuilder.Services;
        services.AddKeyedSingleton(key, (_, _) =>
            new KafkaTopicsHealthCheck(ct => resource.ConnectionStringExpression.GetValueAsync(ct), topics, TimeSpan.FromSeconds(5)));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            key,
            sp => sp.GetRequiredKeyedService<KafkaTopicsHealthCheck>(key),
            failureStatus: HealthStatus.Unhealthy,
            tags: null));
        return builder.WithHealthCheck(key);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka mode {Mode}: {Reason}")]
    private static partial void LogModeChosen(ILogger logger, KafkaMode mode, string reason);

    // A port free at the time of asking; the broker binds it moments later, when it starts.
    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
