using Aspire.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using UserAudit.AppHost.Kafka;
using UserAudit.KafkaBroker.MockCluster;
using Xunit;

namespace UserAudit.Tests.Hosting;

/// <summary>The AppHost's topics check: one instance per Kafka resource, one admin client, disposed with the app.</summary>
public sealed class KafkaTopicsHealthCheckTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_run_of_the_topics_check_gets_the_same_instance_and_the_app_disposes_it()
    {
        var builder = DistributedApplication.CreateBuilder();
        builder.AddKafka("kafka").WithTopics(new KafkaTopic("audit", 3));
        var app = builder.Build();
        var registration = app.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Single(r => r.Name == "kafka-topics");

        IHealthCheck first, second;
        using (var scope = app.Services.CreateScope())
        {
            first = registration.Factory(scope.ServiceProvider);
        }

        using (var scope = app.Services.CreateScope())
        {
            second = registration.Factory(scope.ServiceProvider);
        }

        Assert.Same(first, second);
        await app.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => first.CheckHealthAsync(new HealthCheckContext { Registration = registration }, Ct));
    }

    [Fact]
    public async Task A_run_in_flight_keeps_its_admin_client_until_it_ends_when_the_check_is_disposed()
    {
        using var cluster = MockKafkaCluster.Start();
        cluster.CreateTopic("audit", 3);
        cluster.SetBrokerRoundTrip(1, TimeSpan.FromMilliseconds(400));
        var check = new KafkaTopicsHealthCheck(_ => ValueTask.FromResult<string?>(cluster.Bootstraps), [new("audit", 3)], TimeSpan.FromSeconds(5));
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("kafka-topics", check, null, null) };

        // The run holds the admin client from the moment it is called; disposing must not destroy it under the run.
        var inFlight = check.CheckHealthAsync(context, Ct);
        check.Dispose();

        Assert.Equal(HealthStatus.Healthy, (await inFlight).Status);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => check.CheckHealthAsync(context, Ct));
    }

    // A topic made elsewhere with fewer partitions than declared (an external cluster, a volume
    // kept from an older declaration) would never be "created": the check says what is wrong and
    // leaves the topic as it is.
    [Fact]
    public async Task An_existing_topic_with_fewer_partitions_than_declared_is_reported_and_left_alone()
    {
        using var cluster = MockKafkaCluster.Start();
        cluster.CreateTopic("audit", 1);
        using var check = new KafkaTopicsHealthCheck(_ => ValueTask.FromResult<string?>(cluster.Bootstraps), [new("audit", 3)], TimeSpan.FromSeconds(5));
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("kafka-topics", check, null, null) };

        var result = await check.CheckHealthAsync(context, Ct);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("Topic audit has 1 partition(s), fewer than the 3 declared", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Topics_check_is_healthy_run_after_run_once_the_declared_topics_exist()
    {
        using var cluster = MockKafkaCluster.Start();
        cluster.CreateTopic("audit", 3);
        cluster.CreateTopic("audit.deadletter", 1);
        using var check = new KafkaTopicsHealthCheck(_ => ValueTask.FromResult<string?>(cluster.Bootstraps), [new("audit", 3), new("audit.deadletter")], TimeSpan.FromSeconds(5));
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("kafka-topics", check, null, null) };

        foreach (var _ in Enumerable.Range(0, 3))
        {
            var result = await check.CheckHealthAsync(context, Ct);
            Assert.Equal(HealthStatus.Healthy, result.Status);
            Assert.Contains("audit, audit.deadletter ready", result.Description, StringComparison.Ordinal);
        }
    }
}
