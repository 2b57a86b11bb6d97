using System.Globalization;
using Confluent.Kafka;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.Ingestion;

/// <summary>
/// A message that can never be stored goes to the dead-letter topic with the reason and where it
/// came from, its offset is committed past, and the events behind it on its partition are stored.
/// </summary>
public sealed class PoisonMessageTests(UserAuditApp app)
{
    private const int MaxEventBytes = 1024 * 1024; // AuditService's default Ingestion:MaxEventBytes

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("not-a-cloud-event", "NotACloudEvent", "ce_specversion")]
    [InlineData("invalid-time", "InvalidAttributeValue", "ce_time")]
    [InlineData("invalid-utf8-header", "InvalidUtf8Header", "ce_subject")]
    [InlineData("data-not-json", "InvalidData", "content-type")]
    [InlineData("oversized", "BodyTooLarge", "1048577 bytes")]
    // A header name is the sender's text: the detail shows its line break escaped, so it cannot start a forged log line.
    [InlineData("forged-header-name", "UnmappableHeader", "'ce_forged\\nCloudEvent stored: id=forged'")]
    public async Task Poison_message_goes_to_the_dead_letter_topic_with_its_reason_and_later_events_are_still_stored(
        string kind, string reason, string detailMentions)
    {
        using var kafka = new AuditTopicClient(app.KafkaBootstrapServers);
        var key = $"poison-{kind}-{Guid.NewGuid():N}";
        var poison = Poison(kind, key);

        var poisoned = await kafka.ProduceAsync(poison, Ct);
        var good = AuditTopicClient.NewEvent(subject: key);
        var goodDelivered = await kafka.ProduceAsync(good, key, Ct);

        Assert.Equal(poisoned.Partition, goodDelivered.Partition);
        var stored = Assert.Single(await app.WaitForAuditEventsAsync(key, 1, Ct));
        Assert.Equal(good.Id, stored.GetProperty("id").GetString());

        var deadLetter = await kafka.WaitForDeadLetterAsync(poisoned.TopicPartitionOffset, Ct);
        Assert.Equal(reason, AuditTopicClient.Header(deadLetter, "dlq-reason"));
        Assert.Contains(detailMentions, AuditTopicClient.Header(deadLetter, "dlq-detail"), StringComparison.Ordinal);
        Assert.DoesNotContain('\n', AuditTopicClient.Header(deadLetter, "dlq-detail")!);
        Assert.Equal("audit", AuditTopicClient.Header(deadLetter, "dlq-original-topic"));
        Assert.Equal(poisoned.Partition.Value.ToString(CultureInfo.InvariantCulture), AuditTopicClient.Header(deadLetter, "dlq-original-partition"));
        Assert.Equal(poisoned.Offset.Value.ToString(CultureInfo.InvariantCulture), AuditTopicClient.Header(deadLetter, "dlq-original-offset"));
        Assert.Equal(key, deadLetter.Message.Key);
        // The original headers travel with it, so the message can be repaired and replayed.
        foreach (var header in poison.Headers)
        {
            Assert.Contains(deadLetter.Message.Headers, h => h.Key == header.Key && h.GetValueBytes().AsSpan().SequenceEqual(header.GetValueBytes()));
        }

        if (kind == "oversized")
        {
            Assert.Null(deadLetter.Message.Value);
            Assert.Equal("BodyTooLarge", AuditTopicClient.Header(deadLetter, "dlq-value-omitted"));
        }
        else
        {
            Assert.Equal(poison.Value, deadLetter.Message.Value);
        }
    }

    /// <summary>A message of the given poison kind, keyed <paramref name="key"/>.</summary>
    internal static Message<string?, byte[]?> Poison(string kind, string key)
    {
        var valid = AuditTopicClient.ToMessage(AuditTopicClient.NewEvent(subject: key + "-poison"), key);
        switch (kind)
        {
            case "not-a-cloud-event":
                return new Message<string?, byte[]?>
                {
                    Key = key,
                    Value = """{"user": "ada", "action": "login"}"""u8.ToArray(),
                    Headers = [new Header("content-type", "application/json"u8.ToArray())],
                };
            case "invalid-time":
                return Replace(valid, "ce_time", "yesterday"u8.ToArray());
            case "invalid-utf8-header":
                return Replace(valid, "ce_subject", [0x61, 0xC3, 0x28, 0x62]);
            case "data-not-json":
                var notJson = Replace(valid, "content-type", "application/json"u8.ToArray());
                notJson.Value = "{not json"u8.ToArray();
                return notJson;
            case "forged-header-name":
                var forged = Replace(valid, "ce_forged\nCloudEvent stored: id=forged", "x"u8.ToArray());
                return forged;
            case "oversized":
                var oversized = Replace(valid, "content-type", "application/octet-stream"u8.ToArray());
                oversized.Value = new byte[MaxEventBytes + 1];
                return oversized;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown poison.");
        }
    }

    private static Message<string?, byte[]?> Replace(Message<string?, byte[]?> message, string header, byte[] value)
    {
        var headers = new Headers();
        foreach (var h in message.Headers.Where(h => h.Key != header))
        {
            headers.Add(h.Key, h.GetValueBytes());
        }

        headers.Add(header, value);
        return new Message<string?, byte[]?> { Key = message.Key, Value = message.Value, Headers = headers };
    }

    [Fact]
    public async Task Several_poison_messages_in_a_row_do_not_stall_the_partition()
    {
        using var kafka = new AuditTopicClient(app.KafkaBootstrapServers);
        var key = "poison-row-" + Guid.NewGuid().ToString("N");
        var poisoned = new List<DeliveryResult<string?, byte[]?>>();
        for (var i = 0; i < 20; i++)
        {
            poisoned.Add(await kafka.ProduceAsync(Poison(i % 2 == 0 ? "invalid-time" : "data-not-json", key), Ct));
        }

        var good = AuditTopicClient.NewEvent(subject: key);
        await kafka.ProduceAsync(good, key, Ct);

        var stored = Assert.Single(await app.WaitForAuditEventsAsync(key, 1, Ct));
        Assert.Equal(good.Id, stored.GetProperty("id").GetString());
        foreach (var p in poisoned)
        {
            var deadLetter = await kafka.WaitForDeadLetterAsync(p.TopicPartitionOffset, Ct);
            Assert.NotNull(AuditTopicClient.Header(deadLetter, "dlq-reason"));
        }
    }
}
