using System.Text.Json;
using System.Text.Json.Nodes;
using CloudNative.CloudEvents;
using Confluent.Kafka;
using UserAudit.CloudEvents.Kafka;
using UserAudit.ServiceDefaults.Kafka;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.Interop;

/// <summary>
/// Kafka in both directions between our services and the official CloudEvents JavaScript SDK
/// (<c>cloudevents</c> on npm, with kafkajs), an implementation written without knowledge of ours.
/// </summary>
public sealed class KafkaInteropTests(UserAuditApp app)
{
    private const string Topic = AuditTopics.Audit;
    private const string Source = "urn:useraudit:interop-tests";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Created_user_event_that_UserService_publishes_is_read_by_the_JavaScript_SDK()
    {
        var userId = await app.CreateUserAsync("Katherine Johnson", "orbital-mechanics-1962", Ct);
        var stored = Assert.Single(await app.WaitForAuditEventsAsync(userId, 1, Ct));

        var read = Assert.Single((await ReadWithJavaScriptAsync(userId)).EnumerateArray());

        Assert.Equal("binary", read.GetProperty("mode").GetString());
        Assert.Equal(userId, read.GetProperty("key").GetString());
        var headers = read.GetProperty("headers");
        Assert.False(headers.TryGetProperty("ce_datacontenttype", out _), "datacontenttype travels as content-type only");
        var cloudEvent = read.GetProperty("event");
        Assert.Equal("1.0", cloudEvent.GetProperty("specversion").GetString());
        Assert.Equal("org.useraudit.user.created.v1", cloudEvent.GetProperty("type").GetString());
        Assert.Equal(userId, cloudEvent.GetProperty("subject").GetString());
        Assert.Equal(stored.GetProperty("source").GetString(), cloudEvent.GetProperty("source").GetString());
        Assert.Equal(stored.GetProperty("id").GetString(), cloudEvent.GetProperty("id").GetString());
        Assert.Equal("application/json", cloudEvent.GetProperty("datacontenttype").GetString());
        var time = DateTimeOffset.Parse(cloudEvent.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(stored.GetProperty("time").GetDateTimeOffset() - time, TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", cloudEvent.GetProperty("traceparent").GetString());
        // The Auth Context extension, as the SDK reads it: the administrator the test signs in as created the user.
        Assert.Equal("user", cloudEvent.GetProperty("authtype").GetString());
        Assert.Equal(app.AdminId, cloudEvent.GetProperty("authid").GetString());
        var data = cloudEvent.GetProperty("data");
        Assert.Equal(userId, data.GetProperty("id").GetString());
        Assert.DoesNotContain("orbital-mechanics-1962", data.GetRawText(), StringComparison.Ordinal);
        InteropEvents.AssertSameJson(stored.GetProperty("data"), data);
    }

    [Theory]
    [InlineData(ContentMode.Binary)]
    [InlineData(ContentMode.Structured)]
    public async Task Event_our_Kafka_binding_encodes_is_read_by_the_JavaScript_SDK_with_every_attribute(ContentMode mode)
    {
        var subject = InteropEvents.NewSubject($"ours-kafka-{mode}".ToLowerInvariant());
        var cloudEvent = InteropEvents.Rich(subject, Source);
        using (var producer = new ProducerBuilder<string?, byte[]?>(new ProducerConfig { BootstrapServers = app.KafkaBootstrapServers, EnableIdempotence = true }).Build())
        {
            await producer.ProduceAsync(Topic, cloudEvent.ToKafkaMessage<string?>(mode, InteropEvents.Formatter, subject), Ct);
        }

        var read = Assert.Single((await ReadWithJavaScriptAsync(subject)).EnumerateArray());

        Assert.Equal(mode.ToString().ToLowerInvariant(), read.GetProperty("mode").GetString());
        InteropEvents.AssertReadByJavaScript(cloudEvent, read.GetProperty("event"));
        // The SDK maps the message key to the partitionkey extension (section 3.1 of the binding).
        Assert.Equal(subject, read.GetProperty("event").GetProperty("partitionkey").GetString());
    }

    [Theory]
    [InlineData("binary")]
    [InlineData("structured")]
    public async Task Event_the_JavaScript_SDK_produces_to_Kafka_is_stored_by_AuditService_with_every_attribute(string mode)
    {
        var subject = InteropEvents.NewSubject($"js-kafka-{mode}");
        var sent = InteropEvents.JavaScriptEvent(subject, Source + ":js");
        // The SDK takes the message key from the partitionkey extension.
        sent["partitionkey"] = subject;
        var request = new JsonArray { new JsonObject { ["mode"] = mode, ["event"] = sent } };

        var result = await NodeScript.RunAsync("write-kafka.mjs", ["--brokers", app.KafkaBootstrapServers, "--topic", Topic], request.ToJsonString(), null, Ct);
        var produced = Assert.Single(result.Json().GetProperty("produced").EnumerateArray());
        Assert.Equal(subject, produced.GetProperty("key").GetString());

        var stored = Assert.Single(await app.WaitForAuditEventsAsync(subject, 1, Ct));
        InteropEvents.AssertStored(sent, stored);
        Assert.Equal(subject, stored.GetProperty("extensions").GetProperty("partitionkey").GetString());
        Assert.Equal(Topic, stored.GetProperty("kafka").GetProperty("topic").GetString());
    }

    private async Task<JsonElement> ReadWithJavaScriptAsync(params string[] subjects)
    {
        var result = await NodeScript.RunAsync(
            "read-kafka.mjs",
            ["--brokers", app.KafkaBootstrapServers, "--topic", Topic, "--subjects", string.Join(',', subjects), "--group", $"interop-{Guid.NewGuid():N}", "--timeout-ms", "60000"],
            null, null, Ct);
        return result.Json().GetProperty("events");
    }
}
