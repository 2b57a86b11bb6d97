using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using UserAudit.KafkaBroker.Hosting;
using Xunit;

namespace UserAudit.Tests.Hosting;

/// <summary>
/// The embedded broker's own host, started in the test as the AppHost starts it: what it listens
/// on, and when its fault-injection API exists.
/// </summary>
public sealed class EmbeddedBrokerHostTests : IAsyncDisposable
{
    private WebApplication? _app;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpClient> StartAsync(string environment, params string[] settings)
    {
        _app = BrokerHost.Create(["--environment", environment, "--Broker:Port=0", "--Broker:HttpPort=0", .. settings]);
        await _app.StartAsync(Ct);
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new HttpClient { BaseAddress = new Uri(address) };
    }

    private static async Task<HttpStatusCode> CreateTopicAsync(HttpClient http, string name, int partitions)
    {
        using var response = await http.PostAsJsonAsync("/v1/broker/topics", new { name, partitions }, Ct);
        return response.StatusCode;
    }

    [Fact]
    public async Task Outside_development_the_broker_serves_health_but_no_fault_injection()
    {
        using var http = await StartAsync("Production");

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/broker", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/v1/broker/brokers/1/down", null, Ct)).StatusCode);
    }

    [Fact]
    public async Task In_development_the_fault_injection_api_answers()
    {
        using var http = await StartAsync("Development");

        var status = await http.GetFromJsonAsync<JsonElement>("/v1/broker", Ct);
        Assert.StartsWith("localhost:", status.GetProperty("bootstrapServers").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboards_fault_commands_take_the_broker_down_and_bring_it_back()
    {
        using var http = await StartAsync("Development");
        async Task<int[]> DownAsync() =>
            [.. (await http.GetFromJsonAsync<JsonElement>("/v1/broker", Ct)).GetProperty("brokersDown").EnumerateArray().Select(b => b.GetInt32())];

        var down = await UserAudit.AppHost.Kafka.EmbeddedBrokerCommands.SendAsync(http.BaseAddress!, HttpMethod.Post, "/v1/broker/brokers/1/down", null, Ct);
        Assert.True(down.Success, down.Message);
        Assert.Equal(1, Assert.Single(await DownAsync()));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health", Ct)).StatusCode); // degraded, not unhealthy: the host still runs

        var up = await UserAudit.AppHost.Kafka.EmbeddedBrokerCommands.SendAsync(http.BaseAddress!, HttpMethod.Post, "/v1/broker/brokers/1/up", null, Ct);
        Assert.True(up.Success, up.Message);
        Assert.Empty(await DownAsync());

        var refused = await UserAudit.AppHost.Kafka.EmbeddedBrokerCommands.SendAsync(http.BaseAddress!, HttpMethod.Put, "/v1/broker/brokers/1/rtt", new { milliseconds = -1 }, Ct);
        Assert.False(refused.Success);
        Assert.Contains("400", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_broker_listens_on_loopback_only_for_http_and_for_kafka()
    {
        Assert.SkipUnless(File.Exists("/proc/net/tcp"), "Listening sockets are read from Linux's /proc.");
        using var http = await StartAsync("Development");
        var kafkaPort = int.Parse(_app!.Services.GetRequiredService<EmbeddedBroker>().BootstrapServers.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

        foreach (var port in (int[])[http.BaseAddress!.Port, kafkaPort])
        {
            var addresses = ListeningSockets.On(port);
            Assert.NotEmpty(addresses);
            Assert.All(addresses, a => Assert.True(ListeningSockets.IsLoopback(a), $"port {port} listens on {a}"));
        }
    }

    [Fact]
    public async Task The_control_api_creates_topics_and_partitions_only_up_to_its_caps()
    {
        using var http = await StartAsync("Development", "--Broker:Control:MaxTopics=2", "--Broker:Control:MaxPartitions=5");

        Assert.Equal(HttpStatusCode.Created, await CreateTopicAsync(http, "faults.a", 2));
        Assert.Equal(HttpStatusCode.Conflict, await CreateTopicAsync(http, "faults.b", 4));
        Assert.Equal(HttpStatusCode.Created, await CreateTopicAsync(http, "faults.b", 3));
        using var third = await http.PostAsJsonAsync("/v1/broker/topics", new { name = "faults.c", partitions = 1 }, Ct);
        Assert.Equal(HttpStatusCode.Conflict, third.StatusCode);
        Assert.Contains("Broker:Control:MaxTopics", await third.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        var status = await http.GetFromJsonAsync<JsonElement>("/v1/broker", Ct);
        Assert.Equal(["faults.a", "faults.b"], status.GetProperty("topics").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
    }

    [Theory]
    [InlineData("two words")]
    [InlineData("..")]
    [InlineData("ünicode")]
    [InlineData("")]
    public async Task The_control_api_refuses_topic_names_kafka_would_refuse(string name)
    {
        using var http = await StartAsync("Development");

        Assert.Equal(HttpStatusCode.BadRequest, await CreateTopicAsync(http, name, 1));
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
