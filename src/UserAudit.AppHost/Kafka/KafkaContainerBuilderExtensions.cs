
namespace UserAudit.AppHost.Kafka;

/// <summary>
/// Adds Apache Kafka as a container: a single-node KRaft broker, its data volume and Kafka UI.
/// </summary>
public static class KafkaContainerBuilderExtensions
{
    /// <summary>
    /// Where the data volume is mounted: the folder the <c>apache/kafka</c> image creates for its
    /// user and declares as a volume (<c>docker/jvm/Dockerfile</c>).
    /// </summary>
    public const string DataPath = "/var/lib/kafka/data";

    private const int KafkaUiPort = 8080;

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
            .WithEnvironment(context => ConfigureBroker(context, kafka));
    }

    /// <summary>
    /// The broker's settings. The <c>apache/kafka</c> image uses the Kafka distribution's own
    /// single-node KRaft <c>server.properties</c> only when it is given no setting at all; once any
    /// <c>KAFKA_*</c> variable is set it uses those alone (<c>docker/examples/README.md</c> in
    /// apache/kafka), so every value that default file carries for one node is repeated here.
    /// Sources: <c>config/kraft/server.properties</c> (the default file) and the image's
    /// single-node example, <c>docker/examples/docker-compose-files/single-node/plaintext</c>.
    /// </summary>
    private static void ConfigureBroker(EnvironmentCallbackContext context, KafkaServerResource kafka)
    {
        var env = context.EnvironmentVariables;

        // One process is both broker and KRaft controller, as in the default file and the example.
        env["KAFKA_PROCESS_ROLES"] = "broker,controller";
        env["KAFKA_NODE_ID"] = "1";

        // The quorum is this node alone, reached on its controller listener (default file:
        // 1@localhost:9093). CLUSTER_ID is left to the image, which sets a fixed default
        // (docker/resources/common-scripts/configureDefaults): stable, as a reused data volume needs.
        env["KAFKA_CONTROLLER_QUORUM_VOTERS"] = $"1@localhost:{KafkaServerResource.ControllerPort}";
        env["KAFKA_CONTROLLER_LISTENER_NAMES"] = "CONTROLLER";

        // Three listeners, as the example has: one for host processes (behind the published port),
        // one for the container network, and the controller's. The controller listens on the
        // container's loopback only: nothing outside the container has business with it.
        env["KAFKA_LISTENERS"] =
            $"PLAINTEXT_HOST://:{KafkaServerResource.HostListenerPort}," +
            $"PLAINTEXT_INTERNAL://:{KafkaServerResource.InternalListenerPort}," +
            $"CONTROLLER://localhost:{KafkaServerResource.ControllerPort}";
        env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"] = "PLAINTEXT_HOST:PLAINTEXT,PLAINTEXT_INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT";

        // Brokers talk to each other on the container network, as the example's PLAINTEXT listener.
        env["KAFKA_INTER_BROKER_LISTENER_NAME"] = "PLAINTEXT_INTERNAL";

        // Each listener advertises the address its clients can reach. Running, host processes use
        // localhost and the port published on the host (the primary endpoint is pinned to the host
        // network, so this is the host port, not the container's 9092). Published, the deployment's
        // bindings say where each endpoint lives, as Aspire's own integration advertises them.
        var hostClients = context.ExecutionContext.IsRunMode
            ? ReferenceExpression.Create($"localhost:{kafka.PrimaryEndpoint.Property(EndpointProperty.Port)}")
            : ReferenceExpression.Create($"{kafka.PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
        env["KAFKA_ADVERTISED_LISTENERS"] = ReferenceExpression.Create(
            $"PLAINTEXT_HOST://{hostClients},PLAINTEXT_INTERNAL://{kafka.ContainerNetworkAddress(context.ExecutionContext)}");

        // Internal topics on one node: the default file sets these to 1; Kafka's own default is 3,
        // which a single broker cannot satisfy (the example sets them for that reason). Share-group
        // state (Kafka 4) is in the default file too.
        env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] = "1";
        env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] = "1";
        env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] = "1";
        env["KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR"] = "1";
        env["KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR"] = "1";

        // As in the example: a new consumer group starts at once instead of after 3 s.
        env["KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS"] = "0";

        // Ours, not the image's: topics are declared in the AppHost and created by its health check,
        // so a typo in a topic name fails loudly instead of creating a stray topic.
        env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] = "false";
    }

    /// <summary>
    /// Keeps the broker's data in a named volume, so it survives restarts. Only then are the log
    /// directories moved into the volume: the image's default (<c>/tmp/kraft-combined-logs</c>) lives
    /// and dies with the container, whereas writing to the image's declared volume without a named
    /// one would leave an anonymous volume behind on every run.
    /// </summary>
    /// <param name="builder">The Kafka resource.</param>
    /// <param name="name">Volume name; derived from the application and resource names when null.</param>
    /// <param name="isReadOnly">Mount read-only.</param>
    public static IResourceBuilder<KafkaServerResource> WithDataVolume(this IResourceBuilder<KafkaServerResource> builder, string? name = null, bool isReadOnly = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .WithEnvironment("KAFKA_LOG_DIRS", DataPath)
            .WithVolume(name ?? VolumeNameGenerator.Generate(builder, "data"), DataPath, isReadOnly);
    }

    /// <summary>Adds a Kafka UI container that reads the cluster over the container network.</summary>
    /// <param name="builder">The Kafka resource.</param>
    /// <param name="hostPort">Host port of the UI; random when null.</param>
    public static IResourceBuilder<KafkaServerResource> WithKafkaUI(this IResourceBuilder<KafkaServerResource> builder, int? hostPort = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var kafka = builder.Resource;
        builder.ApplicationBuilder.AddContainer($"{kafka.Name}-ui", KafkaContainerImageTags.KafkaUiImage, KafkaContainerImageTags.KafkaUiTag)
            .WithImageRegistry(KafkaContainerImageTags.Registry)
            .WithHttpEndpoint(port: hostPort, targetPort: KafkaUiPort)
            .WithEnvironment(context =>
            {
                context.EnvironmentVariables["KAFKA_CLUSTERS_0_NAME"] = kafka.Name;
                context.EnvironmentVariables["KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS"] = kafka.ContainerNetworkAddress(context.ExecutionContext);
            })
            .WaitFor(builder)
            .ExcludeFromManifest();
        return builder;
    }
}
