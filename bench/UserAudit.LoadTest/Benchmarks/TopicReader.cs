using Confluent.Kafka;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>Consumers that read a topic to check it, never to process it.</summary>
public static class TopicReader
{
    /// <summary>
    /// A consumer of raw keys and values under a group of its own (<paramref name="groupPrefix"/> and a
    /// fresh id), reading from the first offset and committing nothing: it sees everything on the topic
    /// and leaves no trace for the services' groups.
    /// </summary>
    public static IConsumer<byte[]?, byte[]?> FromStart(string bootstrapServers, string groupPrefix) =>
        new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = groupPrefix + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
}
