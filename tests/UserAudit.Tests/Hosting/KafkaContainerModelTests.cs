using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using UserAudit.AppHost.Kafka;
using Xunit;

namespace UserAudit.Tests.Hosting;

/// <summary>
/// Container mode cannot run here (no container engine), so its application model is checked the
/// way Aspire's own hosting tests do: image, endpoints, environment and volumes, without starting it.
/// </summary>
public sealed class KafkaContainerModelTests
{
    private static async Task<Dictionary<string, object>> EnvironmentOf(IResource resource)
    {
        var variables = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), variables);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return variables;
    }

    private static string Text(object value) => value switch
    {
        string s => s,
        ReferenceExpression e => e.ValueExpression,
        IManifestExpressionProvider p => p.ValueExpression,
        _ => value.ToString() ?? "",
    };

    [Fact]
    public void Kafka_container_uses_the_pinned_apache_kafka_image()
    {
        var builder = DistributedApplication.CreateBuilder();
        var kafka = builder.AddKafka("kafka");

        var image = Assert.Single(kafka.Resource.Annotations.OfType<ContainerImageAnnotation>());
        Assert.Equal("apache/kafka", image.Image);
        Assert.Equal("4.1.0", image.Tag);
        Assert.Equal("docker.io", image.Registry);
    }

    [Fact]
    public void Kafka_container_has_a_host_listener_and_a_container_network_listener()
    {
        var builder = DistributedApplication.CreateBuilder();
        var kafka = builder.AddKafka("kafka", port: 19092);

        var endpoints = kafka.Resource.Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name);
        Assert.Equal(19092, endpoints["tcp"].Port);
        Assert.Equal(9092, endpoints["tcp"].TargetPort);
        Assert.Equal(ProtocolType.Tcp, endpoints["tcp"].Protocol);
        Assert.Equal(9094, endpoints["internal"].TargetPort);
        Assert.Equal("{kafka.bindings.tcp.host}:{kafka.bindings.tcp.port}", kafka.Resource.ConnectionStringExpression.ValueExpression);
    }

    [Fact]
    public async Task Kafka_container_runs_single_node_kraft_and_advertises_addresses_each_side_can_reach()
    {
        var builder = DistributedApplication.CreateBuilder();
        var kafka = builder.AddKafka("kafka");

        var env = await EnvironmentOf(kafka.Resource);
        Assert.Equal("broker,controller", Text(env["KAFKA_PROCESS_ROLES"]));
        Assert.Equal("1@localhost:9093", Text(env["KAFKA_CONTROLLER_QUORUM_VOTERS"]));
        Assert.Equal("PLAINTEXT://:9092,CONTROLLER://:9093,PLAINTEXT_INTERNAL://:9094", Text(env["KAFKA_LISTENERS"]));
        Assert.Equal("PLAINTEXT_INTERNAL", Text(env["KAFKA_INTER_BROKER_LISTENER_NAME"]));
        Assert.Equal("PLAINTEXT://localhost:{kafka.bindings.tcp.port},PLAINTEXT_INTERNAL://kafka:9094", Text(env["KAFKA_ADVERTISED_LISTENERS"]));
        Assert.Equal("1", Text(env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"]));
        Assert.Equal(KafkaContainerBuilderExtensions.DataPath, Text(env["KAFKA_LOG_DIRS"]));
    }

    [Fact]
    public void Data_volume_is_mounted_at_the_log_directory()
    {
        var builder = DistributedApplication.CreateBuilder();
        var kafka = builder.AddKafka("kafka").WithDataVolume("kafka-data");

        var mount = Assert.Single(kafka.Resource.Annotations.OfType<ContainerMountAnnotation>());
        Assert.Equal("kafka-data", mount.Source);
        Assert.Equal("/var/lib/kafka/data", mount.Target);
        Assert.Equal(ContainerMountType.Volume, mount.Type);
        Assert.False(mount.IsReadOnly);
    }

    [Fact]
    public async Task Kafka_ui_reads_the_cluster_over_the_container_network_listener()
    {
        var builder = DistributedApplication.CreateBuilder();
        builder.AddKafka("kafka").WithKafkaUI(hostPort: 18080);

        var ui = Assert.Single(builder.Resources.OfType<ContainerResource>(), r => r.Name == "kafka-ui");
        Assert.Equal("provectuslabs/kafka-ui", ui.Annotations.OfType<ContainerImageAnnotation>().Single().Image);
        Assert.Equal(18080, ui.Annotations.OfType<EndpointAnnotation>().Single().Port);
        var env = await EnvironmentOf(ui);
        Assert.Equal("kafka:9094", Text(env["KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS"]));
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
    public async Task Embedded_broker_gets_its_topics_and_advertised_address_from_the_app_host()
    {
        var builder = DistributedApplication.CreateBuilder();
        var kafka = builder.AddEmbeddedKafka<Projects.UserAudit_KafkaBroker>("kafka", 9092).WithTopics(new KafkaTopic("audit", 3));

        var env = await EnvironmentOf(kafka.Resource);
        Assert.Equal("audit:3", Text(env["Broker__Topics__0"]));
        Assert.Equal("{kafka.bindings.tcp.port}", Text(env["Broker__AdvertisedPort"]));
        Assert.Equal(9092, kafka.Resource.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "tcp").Port);
        Assert.Equal("{kafka.bindings.tcp.host}:{kafka.bindings.tcp.port}", kafka.Resource.ConnectionStringExpression.ValueExpression);
    }

    [Fact]
    public async Task Services_of_the_embedded_broker_fetch_with_a_short_wait_because_the_mock_holds_empty_fetches()
    {
        var builder = DistributedApplication.CreateBuilder();
        var kafka = builder.AddEmbeddedKafka<Projects.UserAudit_KafkaBroker>("kafka", 9092);
        var service = builder.AddExecutable("service", "service", ".").WithKafkaReference(kafka);

        var env = await EnvironmentOf(service.Resource);
        Assert.Equal(KafkaHostingExtensions.EmbeddedFetchWaitMs, Text(env["Kafka__Consumer__Config__FetchWaitMaxMs"]));
        Assert.True(env.ContainsKey("ConnectionStrings__kafka"));
        Assert.Contains(service.Resource.Annotations.OfType<WaitAnnotation>(), w => w.Resource == kafka.Resource);
    }

    [Fact]
    public async Task Services_of_a_real_broker_keep_the_default_fetch_wait()
    {
        var builder = DistributedApplication.CreateBuilder();
        var kafka = builder.AddKafka("kafka");
        var service = builder.AddExecutable("service", "service", ".").WithKafkaReference(kafka);

        var env = await EnvironmentOf(service.Resource);
        Assert.False(env.ContainsKey("Kafka__Consumer__Config__FetchWaitMaxMs"));
        Assert.True(env.ContainsKey("ConnectionStrings__kafka"));
    }
}
