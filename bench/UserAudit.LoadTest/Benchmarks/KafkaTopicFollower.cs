using System.Diagnostics;
using Confluent.Kafka;
using UserAudit.LoadTest.Load;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>
/// Reads a topic while a run produces to it, for the exactly-once check: every partition assigned
/// from its first offset (no consumer group, so no rebalance wait), each message's change noted
/// with its offset as it arrives. It follows instead of reading afterwards because the embedded
/// broker keeps only about 5 MB per partition and drops the oldest messages beyond that, and one
/// run writes more than that to a partition that carries several busy users.
/// </summary>
public sealed class KafkaTopicFollower : IDisposable
{
    private readonly string _bootstrapServers;
    private readonly string _topic;
    private readonly Func<Message<byte[]?, byte[]?>, ChangeId?> _decode;
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly Thread _thread;
    private readonly Lock _lock = new();
    private readonly long[] _next;
    private readonly List<StoredChange> _read = [];
    private long _messages;
    private long _undecodable;
    private long _sessionEvents;
    private bool _gap;
    private volatile bool _stopping;

    /// <summary>Starts following <paramref name="topic"/>; <paramref name="decode"/> names a message's change, or null.</summary>
    public KafkaTopicFollower(string bootstrapServers, string topic, int partitions, Func<Message<byte[]?, byte[]?>, ChangeId?> decode)
    {
        (_bootstrapServers, _topic, _decode, _next) = (bootstrapServers, topic, decode, new long[partitions]);
        _consumer = CreateConsumer(bootstrapServers);
        _consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        _thread = new Thread(Follow) { IsBackground = true, Name = "exactly-once check" };
        _thread.Start();
    }

    /// <summary>Messages read so far.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>Waits until at least <paramref name="expected"/> messages were read; false at the deadline.</summary>
    public async Task<bool> WaitForAsync(long expected, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Messages < expected)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        return true;
    }

    /// <summary>
    /// Reads up to the end of every partition as it is now (call it once nothing produces any more)
    /// and compares the messages per user and event type with <paramref name="ledger"/>.
    /// </summary>
    /// <exception cref="TimeoutException">The end was not reached within <paramref name="timeout"/>.</exception>
    public async Task<TopicCheck> CheckAsync(Ledger ledger, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        long[] ends;
        // Asked on a handle of its own: the following thread owns its consumer.
        using (var probe = CreateConsumer(_bootstrapServers))
        {
            ends = [.. Enumerable.Range(0, _next.Length).Select(p => probe.QueryWatermarkOffsets(new TopicPartition(_topic, p), TimeSpan.FromSeconds(10)).High.Value)];
        }

        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!ReachedEnds(ends))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"The exactly-once check did not reach the end of topic '{_topic}' within {timeout.TotalSeconds:N0} s; {Messages:N0} messages read.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        lock (_lock)
        {
            return new TopicCheck(ledger.Compare(_read), _messages, _undecodable, _gap, _sessionEvents);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
        _consumer.Close();
        _consumer.Dispose();
    }

    private bool ReachedEnds(long[] ends)
    {
        lock (_lock)
        {
            return _next.Select((next, p) => next >= ends[p]).All(reached => reached);
        }
    }

    private void Follow()
    {
        while (!_stopping)
        {
            var result = _consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result?.Message is null)
            {
                continue;
            }

            var key = _decode(result.Message);
            lock (_lock)
            {
                var partition = result.Partition.Value;
                // Offsets of a partition are consecutive (no transactions): a jump means the broker
                // dropped messages before they were read, so a loss could not be told apart.
                _gap |= result.Offset.Value != _next[partition];
                _next[partition] = result.Offset.Value + 1;
                _messages++;
                if (key is { } k)
                {
                    _read.Add(new StoredChange(k, partition, result.Offset.Value));
                }
                else if (ChangeMessageDecoders.IsSessionEvent(result.Message))
                {
                    _sessionEvents++;
                }
                else
                {
                    _undecodable++;
                }
            }
        }
    }

    private static IConsumer<byte[]?, byte[]?> CreateConsumer(string bootstrapServers) => TopicReader.FromStart(bootstrapServers, "exactly-once-check-");
}
