using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using UserAudit.AppHost.Kafka;
using Xunit;

namespace UserAudit.Tests.Hosting;

/// <summary>
/// Container mode cannot run here (no container engine), so its application model is checked the
/// way Aspire's own hosting tests do, without starting it: endpoints are allocated as DCP would
/// (host port 19092, container port 9092) and the container's environment is resolved to the values
/// the container would get.
/// </summary>
public sealed class KafkaContainerModelTests
{
    private const int HostPort = 19092;

    private static IResourceBuilder<KafkaServerResource> AllocatedKafka(IDistributedApplicationBuilder builder)
    {
        var kafka = builder.AddKafka("kafka", port: HostPort);
        ResolvedEnvironment.Allocate(kafka.Resource, KafkaEndpoints.Primary, HostPort);
        ResolvedEnvironment.Allocate(kafka.Resource, KafkaEndpoints.Internal, 49152);
        return kafka;
    }

    [Fact]
    public void Kafka_container_uses_the_pinned_apache_kafka_image()
    {
        var builder = DistributedApplication.CreateBuilder();
        var kafka = builder.AddKafka("kafka");

        var image = Assert.Single(kafka.Resource.Annotations.OfType<ContainerImageAnnotation>());
        Assert.Equal("apache/kafka", image.Image);
        Assert.Equal(KafkaContainerImageTags.Tag, image.Tag);
        Assert.StartsWith("4.", image.Tag, StringComparison.Ordinal);
        Assert.Equal("docker.io", image.Registry);
    }

    [Fact]
    public void Kafka_container_has_a_host_listener_and_a_container_network_listener()
    {
        var builder = DistributedApplication.CreateBuilder();
        var kafka = builder.AddKafka("kafka", port: HostPort);

        var endpoints = kafka.Resource.Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name);
        Assert.Equal(HostPort, endpoints["tcp"].Port);
        Assert.Equal(9092, endpoints["tcp"].TargetPort);
        Assert.Equal(ProtocolType.Tcp, endpoints["tcp"].Protocol);
        Assert.Equal(9094, endpoints["internal"].TargetPort);
        Assert.Equal(KnownNetworkIdentifiers.LocalhostNetwork, kafka.Resource.PrimaryEndpoint.ContextNetworkID);
        Assert.Equal(KnownNetworkIdentifiers.DefaultAspireContainerNetwork, kafka.Resource.InternalEndpoint.ContextNetworkID);
    }

    [Fact]
    public async Task Host_processes_are_told_the_host_port_and_containers_the_resource_name()
    {
        var builder = DistributedApplication.CreateBuilder();
        var kafka = AllocatedKafka(builder);

        var env = await ResolvedEnvironment.OfAsync(kafka.Resource);

        // Resolved in the container's own network, an unpinned endpoint would say localhost:9092 here.
        Assert.Equal($"PLAINTEXT_HOST://localhost:{HostPort},PLAINTEXT_INTERNAL://kafka:9094", env["KAFKA_ADVERTISED_LISTENERS"]);
    }

    [Fact]
    public async Task Connection_string_names_the_host_port_whoever_asks()
    {
        var builder = DistributedApplication.CreateBuilder();
        var kafka = AllocatedKafka(builder);

        Assert.Equal($"localhost:{HostPort}", await kafka.Resource.ConnectionStringExpression.GetValueAsync(TestContext.Current.CancellationToken));
        var askedFromAContainer = new ValueProviderContext { Network = KnownNetworkIdentifiers.DefaultAspireContainerNetwork };
        Assert.Equal($"localhost:{HostPort}", await kafka.Resource.ConnectionStringExpression.GetValueAsync(askedFromAContainer, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Published_kafka_advertises_the_hosts_and_ports_of_its_bindings()
    {
        var builder = DistributedApplication.CreateBuilder(["--publisher", "manifest"]);
        var kafka = builder.AddKafka("kafka");

        var env = await ResolvedEnvironment.OfAsync(kafka.Resource, DistributedApplicationOperation.Publish);

        Assert.Equal(
            "PLAINTEXT_HOST://{kafka.bindings.tcp.host}:{kafka.bindings.tcp.port},PLAINTEXT_INTERNAL://{kafka.bindings.internal.host}:{kafka.bindings.internal.port}",
            env["KAFKA_ADVERTISED_LISTENERS"]);
        Assert.DoesNotContain("localhost:{", env["KAFKA_ADVERTISED_LISTENERS"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kafka_container_gets_every_single_node_kraft_setting_the_image_default_file_has()
    {
        var builder = DistributedApplication.CreateBuilder();
        var kafka = AllocatedKafka(builder);

        var env = await ResolvedEnvironment.OfAsync(kafka.Resource);

        Assert.Equal("broker,controller", env["KAFKA_PROCESS_ROLES"]);
        Assert.Equal("1", env["KAFKA_NODE_ID"]);
        Assert.Equal("1@localhost:9093", env["KAFKA_CONTROLLER_QUORUM_VOTERS"]);
        Assert.Equal("CONTROLLER", env["KAFKA_CONTROLLER_LISTENER_NAMES"]);
        Assert.Equal("PLAINTEXT_HOST://:9092,PLAINTEXT_INTERNAL://:9094,CONTROLLER://localhost:9093", env["KAFKA_LISTENERS"]);
        Assert.Equal("PLAINTEXT_HOST:PLAINTEXT,PLAINTEXT_INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT", env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"]);
        Assert.Equal("PLAINTEXT_INTERNAL", env["KAFKA_INTER_BROKER_LISTENER_NAME"]);
        foreach (var key in (string[])["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
                     "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR"])
        {
            Assert.Equal("1", env[key]);
        }

        Assert.Equal("false", env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"]);
        Assert.False(env.ContainsKey("KAFKA_LOG_DIRS"), "Without a volume the image's own log directory is used.");
    }

    [Fact]
    public async Task Data_volume_is_mounted_at_the_log_directory_the_broker_writes_to()
    {
        var builder = DistributedApplication.CreateBuilder();
        var kafka = AllocatedKafka(builder).WithDataVolume("kafka-data");

        var mount = Assert.Single(kafka.Resource.Annotations.OfType<ContainerMountAnnotation>());
        Assert.Equal("kafka-data", mount.Source);
        Assert.Equal("/var/lib/kafka/data", mount.Target);
        Assert.Equal(ContainerMountType.Volume, mount.Type);
        Assert.False(mount.IsReadOnly);
        var env = await ResolvedEnvironment.OfAsync(kafka.Resource);
        Assert.Equal(mount.Target, env["KAFKA_LOG_DIRS"]);
    }

    [Fact]
    public async Task Kafka_ui_reads_the_cluster_over_the_container_network_listener()
    {
        var builder = DistributedApplication.CreateBuilder();
        AllocatedKafka(builder).WithKafkaUI(hostPort: 18080);

        var ui = Assert.Single(builder.Resources.OfType<ContainerResource>(), r => r.Name == "kafka-ui");
        Assert.Equal(KafkaContainerImageTags.KafkaUiImage, ui.Annotations.OfType<ContainerImageAnnotation>().Single().Image);
        Assert.Equal(18080, ui.Annotations.OfType<EndpointAnnotation>().Single().Port);
        var env = await ResolvedEnvironment.OfAsync(ui);
        Assert.Equal("kafka:9094", env["KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS"]);
        Assert.Contains(ui.Annotations.OfType<ManifestPublishingCallbackAnnotation>(), a => a.Callback is null);
    }

    [Fact]
    public void Kafka_ui_is_added_from_configuration_on_the_host_port_asked_for()
    {
        var builder = DistributedApplication.CreateBuilder(["--Kafka:Mode=container", "--Kafka:UI=true", "--Kafka:UIPort=18081"]);
        builder.AddKafkaForMode<Projects.UserAudit_KafkaBroker>("kafka");

        var ui = Assert.Single(builder.Resources.OfType<ContainerResource>(), r => r.Name == "kafka-ui");
        var image = ui.Annotations.OfType<ContainerImageAnnotation>().Single();
        Assert.Equal(("kafbat/kafka-ui", KafkaContainerImageTags.KafkaUiTag), (image.Image, image.Tag));
        Assert.Equal(18081, ui.Annotations.OfType<EndpointAnnotation>().Single().Port);
    }

    [Fact]
    public void A_port_out_of_range_is_refused_with_its_setting_name()
    {
        var builder = DistributedApplication.CreateBuilder(["--Kafka:Mode=container", "--Kafka:UIPort=70000"]);

        var error = Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(
            () => builder.AddKafkaForMode<Projects.UserAudit_KafkaBroker>("kafka"));
        Assert.Contains("Kafka:UIPort", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Declared_topics_are_recorded_and_checked_by_a_health_check()
    {
        var builder = DistributedApplication.CreateBuilder();
        var kafka = builder.AddKafka("kafka").WithTopics(new KafkaTopic("audit", 3), new KafkaTopic("audit.deadletter"));

        var topics = Assert.Single(kafka.Resource.Annotations.OfType<KafkaTopicsAnnotation>()).Topics;
        Assert.Equal(["audit:3", "audit.deadletter:1"], topics.Select(t => t.ToString()));
        Assert.Contains(kafka.Resource.Annotations.OfType<HealthCheckAnnotation>(), h => h.Key == "kafka-topics");
    }

    [Fact]
    public async Task Services_of_a_real_broker_keep_the_default_fetch_wait_and_session()
    {
        var builder = DistributedApplication.CreateBuilder();
        var kafka = builder.AddKafka("kafka");
        var service = builder.AddExecutable("service", "service", ".").WithKafkaReference(kafka);

        var env = await EnvironmentCallbacks.RunAsync(service.Resource);
        Assert.False(env.ContainsKey("Kafka__Consumer__Config__FetchWaitMaxMs"));
        Assert.False(env.ContainsKey("Kafka__Consumer__Config__SessionTimeoutMs"));
        Assert.False(env.ContainsKey("Kafka__Consumer__Config__HeartbeatIntervalMs"));
        Assert.True(env.ContainsKey("ConnectionStrings__kafka"));
    }
}
