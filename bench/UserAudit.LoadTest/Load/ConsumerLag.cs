using Confluent.Kafka;

namespace UserAudit.LoadTest.Load;

/// <summary>
/// A consumer group's lag on a topic: over its partitions, the high watermark minus the group's
/// committed offset (the low watermark where the group has committed none). Asked through a consumer
/// with the group's id that never subscribes, so it never joins the group, takes no partition
/// from its members and commits nothing. The group commits every few seconds (librdkafka's
/// auto-commit), so the lag includes what was stored since the last commit.
/// </summary>
public sealed class ConsumerLag : IDisposable
{
    private readonly string _topic;
    private readonly TimeSpan _timeout;
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly IAdminClient _admin;

    /// <summary>Connects to <paramref name="bootstrapServers"/> (lazily: a broker that is down fails the first <see cref="Read"/>, not this).</summary>
    /// <param name="bootstrapServers">The broker.</param>
    /// <param name="group">The consumer group whose lag is asked.</param>
    /// <param name="topic">Its topic.</param>
    /// <param name="timeout">Longest wait for each answer of the broker.</param>
    public ConsumerLag(string bootstrapServers, string group, string topic, TimeSpan timeout)
    {
        (_topic, _timeout) = (topic, timeout);
        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = group,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            LogConnectionClose = false,
        })
            // A broker that is down shows as a null sample; librdkafka's retries need no log line each.
            .SetLogHandler((_, _) => { })
            .SetErrorHandler((_, _) => { })
            .Build();
        _admin = new DependentAdminClientBuilder(_consumer.Handle).Build();
    }

    /// <summary>The lag now, in messages; null when the broker does not answer or the topic is unknown.</summary>
    public long? Read()
    {
        try
        {
            var metadata = _admin.GetMetadata(_topic, _timeout).Topics.SingleOrDefault(t => t.Topic == _topic);
            if (metadata is null || metadata.Error.IsError || metadata.Partitions.Count == 0)
            {
                return null;
            }

            var partitions = metadata.Partitions.Select(p => new TopicPartition(_topic, p.PartitionId)).ToList();
            long lag = 0;
            foreach (var committed in _consumer.Committed(partitions, _timeout))
            {
                var watermarks = _consumer.QueryWatermarkOffsets(committed.TopicPartition, _timeout);
                var from = committed.Offset.Value >= 0 ? Math.Max(committed.Offset.Value, watermarks.Low.Value) : watermarks.Low.Value;
                lag += Math.Max(0, watermarks.High.Value - from);
            }

            return lag;
        }
        catch (KafkaException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _admin.Dispose();
        _consumer.Close();
        _consumer.Dispose();
    }
}
