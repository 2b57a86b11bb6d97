using System.Diagnostics;
using Confluent.Kafka;
using UserAudit.LoadTest.Load;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>
/// Reads a whole topic back after a run, for the exactly-once check: assigned partitions (no
/// consumer group, so no rebalance wait), from the first offset to the high watermark.
/// </summary>
public sealed class KafkaTopicReader(string bootstrapServers, string topic, int partitions)
{
    /// <summary>Waits until the topic holds at least <paramref name="expected"/> messages; false at the deadline.</summary>
    public async Task<bool> WaitForAsync(long expected, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var consumer = CreateConsumer();
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (Watermarks(consumer).Sum(w => w.High) >= expected)
            {
                return true;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    /// <summary>
    /// Counts the messages per user and event type, as <paramref name="decode"/> names them (null
    /// for a message that names none), and compares them with <paramref name="ledger"/>.
    /// </summary>
    public TopicCheck Check(Ledger ledger, Func<Message<byte[]?, byte[]?>, ChangeKey?> decode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(decode);
        using var consumer = CreateConsumer();
        var watermarks = Watermarks(consumer);
        // The embedded broker keeps about 5 MB per partition and drops the oldest beyond that.
        var truncated = watermarks.Any(w => w.Low > 0);
        var remaining = watermarks.Where(w => w.High > w.Low).ToDictionary(w => w.Partition, w => w.High);
        consumer.Assign(remaining.Keys.Select(p => new TopicPartitionOffset(topic, p, watermarks[p].Low)));

        var counts = new Dictionary<ChangeKey, int>();
        long messages = 0, undecodable = 0;
        var deadline = Stopwatch.GetTimestamp() + (long)(TimeSpan.FromMinutes(2).TotalSeconds * Stopwatch.Frequency);
        while (remaining.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Reading topic '{topic}' back took more than 2 minutes; {messages:N0} messages read.");
            }

            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }

            messages++;
            if (decode(result.Message) is { } key)
            {
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
            else
            {
                undecodable++;
            }

            if (result.Offset.Value + 1 >= remaining.GetValueOrDefault(result.Partition.Value, long.MaxValue))
            {
                remaining.Remove(result.Partition.Value);
            }
        }

        consumer.Close();
        return new TopicCheck(ledger.Compare(counts), messages, undecodable, truncated);
    }

    private IConsumer<byte[]?, byte[]?> CreateConsumer() =>
        new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "exactly-once-check-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnablePartitionEof = false,
        }).Build();

    // Indexed by partition number.
    private List<(int Partition, long Low, long High)> Watermarks(IConsumer<byte[]?, byte[]?> consumer) =>
        [.. Enumerable.Range(0, partitions).Select(p =>
        {
            var offsets = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10));
            return (p, offsets.Low.Value, offsets.High.Value);
        })];
}
