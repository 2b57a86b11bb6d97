using Aspire.Hosting.ApplicationModel;

namespace UserAudit.AppHost.Kafka;

/// <summary>
/// Adds Apache Kafka as a container: a single-node KRaft broker, its data volume and Kafka UI.
/// </summary>
public static class KafkaContainerBuilderExtensions
{
    private const string InternalPortText = "9094";

    /// <summary>Where the container keeps its log segments.</summary>
    public const string DataPath = "/var/lib/kafka/data";

    /// <summary>
    /// Adds a single-node KRaft Apache Kafka container with a listener for host processes
    /// (<see cref="KafkaEndpoints.Primary"/>) and one for the container network
    /// (<see cref="KafkaEndpoints.Internal"/>), each advertising the address its clients can reach.
    /// </summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="name">Resource name.</param>
    /// <param name="port">Host port of the primary listener; random when null.</param>
    public static IResourceBuilder<KafkaServerResource> AddKafka(this IDistributedApplicationBuilder builder, string name, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var kafka = new KafkaServerResource(name);
        return builder.AddResource(kafka)
            .WithImage(KafkaContainerImageTags.Image, KafkaContainerImageTags.Tag)
            .WithImageRegistry(KafkaContainerImageTags.Registry)
            .WithEndpoint(port: port, targetPort: KafkaServerResource.HostListenerPort, name: KafkaEndpoints.Primary, scheme: "tcp")
            .WithEndpoint(targetPort: KafkaServerResource.InternalListenerPort, name: KafkaEndpoints.Internal, scheme: "tcp")
            .WithEnvironment("KAFKA_NODE_ID", "1")
            .WithEnvironment("KAFKA_PROCESS_ROLES", "broker,controller")
            .WithEnvironment("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@localhost:" + KafkaServerResource.ControllerPort)
            .WithEnvironment("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
            .WithEnvironment("KAFKA_LISTENERS",
                "PLAINTEXT://:" + KafkaServerResource.HostListenerPort + ",CONTROLLER://:" + KafkaServerResource.ControllerPort + ",PLAINTEXT_INTERNAL://:" + KafkaServerResource.InternalListenerPort)
            .WithEnvironment("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,PLAINTEXT_INTERNAL:PLAINTEXT")
            .WithEnvironment("KAFKA_INTER_BROKER_LISTENER_NAME", "PLAINTEXT_INTERNAL")
            .WithEnvironment("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
            .WithEnvironment("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
            .WithEnvironment("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
            .WithEnvironment("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
            .WithEnvironment("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
            .WithEnvironment("KAFKA_LOG_DIRS", DataPath)
            // Host processes reach the broker through the port Aspire publishes on the host;
            // containers reach it by the resource's name on the container network.
            .WithEnvironment(context =>
            {
                context.EnvironmentVariables["KAFKA_ADVERTISED_LISTENERS"] = ReferenceExpression.Create(
                    $"PLAINTEXT://localhost:{kafka.PrimaryEndpoint.Property(EndpointProperty.Port)},PLAINTEXT_INTERNAL://{kafka.Name}:{InternalPortText}");
            });
    }

    /// <summary>Keeps the broker's data in a named volume, so it survives restarts.</summary>
    /// <param name="builder">The Kafka resource.</param>
    /// <param name="name">Volume name; derived from the application and resource names when null.</param>
    /// <param name="isReadOnly">Mount read-only.</param>
    public static IResourceBuilder<KafkaServerResource> WithDataVolume(this IResourceBuilder<KafkaServerResource> builder, string? name = null, bool isReadOnly = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithVolume(name ?? VolumeNameGenerator.Generate(builder, "data"), DataPath, isReadOnly);
    }

    /// <summary>Adds a Kafka UI container that reads the cluster over the container network.</summary>
    /// <param name="builder">The Kafka resource.</param>
    /// <param name="hostPort">Host port of the UI; random when null.</param>
    public static IResourceBuilder<KafkaServerResource> WithKafkaUI(this IResourceBuilder<KafkaServerResource> builder, int? hostPort = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var kafka = builder.Resource;
        var ui = builder.ApplicationBuilder.AddContainer($"{kafka.Name}-ui", KafkaContainerImageTags.KafkaUiImage, KafkaContainerImageTags.KafkaUiTag)
            .WithImageRegistry(KafkaContainerImageTags.Registry)
            .WithHttpEndpoint(port: hostPort, targetPort: 8080)
            .WithEnvironment("KAFKA_CLUSTERS_0_NAME", kafka.Name)
            .WithEnvironment("KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS", ReferenceExpression.Create(
                $"{kafka.Name}:{InternalPortText}"))
            .WaitFor(builder)
            .ExcludeFromManifest();
        _ = ui;
        return builder;
    }
}
