using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using UserAudit.AppHost.Kafka;
using Xunit;
using static UserAudit.Tests.Hosting.EnvironmentCallbacks;

namespace UserAudit.Tests.Hosting;

/// <summary>The embedded broker's place in the application model.</summary>
public sealed class EmbeddedKafkaModelTests
{
    [Fact]
    public async Task Embedded_broker_gets_its_topics_and_advertised_address_from_the_app_host()
    {
        var builder = DistributedApplication.CreateBuilder();
        var kafka = builder.AddEmbeddedKafka<Projects.UserAudit_KafkaBroker>("kafka", 9092).WithTopics(new KafkaTopic("audit", 3));

        var env = await RunAsync(kafka.Resource);
        Assert.Equal("audit:3", Text(env["Broker__Topics__0"]));
        Assert.Equal("{kafka.bindings.tcp.port}", Text(env["Broker__AdvertisedPort"]));
        Assert.Equal(9092, kafka.Resource.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "tcp").Port);
        Assert.Equal("{kafka.bindings.tcp.host}:{kafka.bindings.tcp.port}", kafka.Resource.ConnectionStringExpression.ValueExpression);
    }

    [Fact]
    public async Task Services_of_the_embedded_broker_get_a_short_fetch_wait_and_session_because_the_mock_holds_fetches_and_rebalances()
    {
        var builder = DistributedApplication.CreateBuilder();
        var kafka = builder.AddEmbeddedKafka<Projects.UserAudit_KafkaBroker>("kafka", 9092);
        var service = builder.AddExecutable("service", "service", ".").WithKafkaReference(kafka);

        var env = await RunAsync(service.Resource);
        Assert.Equal(KafkaHostingExtensions.EmbeddedFetchWaitMs, Text(env["Kafka__Consumer__Config__FetchWaitMaxMs"]));
        Assert.Equal("3000", Text(env["Kafka__Consumer__Config__SessionTimeoutMs"]));
        Assert.Equal("1000", Text(env["Kafka__Consumer__Config__HeartbeatIntervalMs"]));
        Assert.True(env.ContainsKey("ConnectionStrings__kafka"));
        Assert.Contains(service.Resource.Annotations.OfType<WaitAnnotation>(), w => w.Resource == kafka.Resource);
    }

    [Fact]
    public async Task Embedded_broker_runs_in_the_app_hosts_environment_on_ports_it_binds_to_loopback_itself()
    {
        var builder = DistributedApplication.CreateBuilder(["--environment", "Development"]);
        var kafka = builder.AddEmbeddedKafka<Projects.UserAudit_KafkaBroker>("kafka");

        var env = await RunAsync(kafka.Resource);
        Assert.Equal("Development", Text(env["DOTNET_ENVIRONMENT"]));
        Assert.Equal("{kafka.bindings.http.targetPort}", Text(env["Broker__HttpPort"]));
        Assert.False(env.ContainsKey("ASPNETCORE_HTTP_PORTS"), "Kestrel binds ASPNETCORE_HTTP_PORTS on every interface.");
        Assert.False(env.ContainsKey("ASPNETCORE_URLS"));

        // Kafka's port is the broker's own, with no proxy in front; without a port asked for, a free one.
        var endpoint = kafka.Resource.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "tcp");
        Assert.False(endpoint.IsProxied);
        Assert.True(endpoint.Port is > 0, "no port was chosen for the unproxied Kafka endpoint");
        Assert.Equal(endpoint.Port, endpoint.TargetPort);
    }

    [Fact]
    public void The_embedded_broker_cannot_be_added_to_an_app_being_published()
    {
        var builder = DistributedApplication.CreateBuilder(["--publisher", "manifest"]);

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddEmbeddedKafka<Projects.UserAudit_KafkaBroker>("kafka"));
        Assert.Contains("never published", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Development", true)]
    [InlineData("Production", false)]
    public void The_dashboard_gets_the_brokers_fault_switches_in_development_only(string environment, bool expected)
    {
        var builder = DistributedApplication.CreateBuilder(["--environment", environment, "--Kafka:Mode=embedded"]);
        var kafka = builder.AddKafkaForMode<Projects.UserAudit_KafkaBroker>("kafka", new KafkaTopic("audit", 3));

        var commands = kafka.Resource.Annotations.OfType<ResourceCommandAnnotation>().Select(c => c.Name).ToList();
        string[] switches = [EmbeddedBrokerCommands.TakeDown, EmbeddedBrokerCommands.BringUp, EmbeddedBrokerCommands.AddLatency, EmbeddedBrokerCommands.RemoveLatency];
        Assert.Equal(expected, switches.All(commands.Contains));
        Assert.Equal(expected, switches.Any(commands.Contains));
    }
}
