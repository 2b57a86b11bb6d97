using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.Ingestion;

/// <summary>Kafka delivers at least once; the audit store keeps one row per (source, id).</summary>
public sealed class DuplicateDeliveryTests(UserAuditApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_same_event_delivered_twice_in_one_batch_is_stored_once()
    {
        using var kafka = new AuditTopicClient(app.KafkaBootstrapServers);
        var subject = "dup-" + Guid.NewGuid().ToString("N");
        var original = AuditTopicClient.NewEvent(subject);
        var later = AuditTopicClient.NewEvent(subject);

        // Same key, same partition: once the later event is stored, both copies were processed.
        await kafka.ProduceAsync(original, subject, Ct);
        await kafka.ProduceAsync(original, subject, Ct);
        await kafka.ProduceAsync(later, subject, Ct);

        await AssertStoredOnceEachAsync(subject, original.Id!, later.Id!);
    }

    [Fact]
    public async Task The_same_event_delivered_again_after_it_was_stored_is_skipped()
    {
        using var kafka = new AuditTopicClient(app.KafkaBootstrapServers);
        var subject = "redelivered-" + Guid.NewGuid().ToString("N");
        var original = AuditTopicClient.NewEvent(subject);
        await kafka.ProduceAsync(original, subject, Ct);
        await app.WaitForAuditEventsAsync(subject, 1, Ct);

        // A redelivery in a later batch, with a newer time: identity is (source, id), nothing else.
        original.Time = DateTimeOffset.UtcNow.AddMinutes(1);
        var later = AuditTopicClient.NewEvent(subject);
        await kafka.ProduceAsync(original, subject, Ct);
        await kafka.ProduceAsync(later, subject, Ct);

        await AssertStoredOnceEachAsync(subject, original.Id!, later.Id!);
    }

    private async Task AssertStoredOnceEachAsync(string subject, params string[] ids)
    {
        var stored = await app.WaitForAuditEventsAsync(subject, ids.Length, Ct);
        var storedIds = stored.Select(e => e.GetProperty("id").GetString()).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(ids.Order(StringComparer.Ordinal).ToArray(), storedIds);
        Assert.All(stored, e => Assert.Equal(AuditTopicClient.Source, e.GetProperty("source").GetString()));
    }
}
