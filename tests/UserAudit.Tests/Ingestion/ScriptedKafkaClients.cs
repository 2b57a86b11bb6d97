using System.Collections.Concurrent;
using System.Reflection;
using Confluent.Kafka;

namespace UserAudit.Tests.Ingestion;

/// <summary>
/// A consumer that hands out scripted messages and records what the application does with it:
/// enough of <see cref="IConsumer{TKey,TValue}"/> for the ingestion loop, nothing more.
/// </summary>
public class ScriptedConsumer : DispatchProxy
{
    // Messages, and callbacks to run inside Consume where a rebalance would (see AddCallback).
    private readonly Queue<object> _pending = new();
    private readonly object _gate = new();

    /// <summary>Offsets the application stored (the next offset to read, as Kafka records it).</summary>
    public ConcurrentQueue<TopicPartitionOffset> Stored { get; } = new();

    /// <summary>Calls made, by method name.</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    public static (IConsumer<byte[]?, byte[]?> Consumer, ScriptedConsumer Script) Create()
    {
        var consumer = Create<IConsumer<byte[]?, byte[]?>, ScriptedConsumer>();
        return (consumer, (ScriptedConsumer)(object)consumer);
    }

    /// <summary>Messages added and not consumed yet.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    public void Add(ConsumeResult<byte[]?, byte[]?> result) => Enqueue(result);

    /// <summary>
    /// Runs <paramref name="callback"/> inside the Consume call that reaches it, on the caller's
    /// thread, as librdkafka runs a rebalance listener.
    /// </summary>
    public void AddCallback(Action callback) => Enqueue(callback);

    private void Enqueue(object item)
    {
        lock (_gate)
        {
            _pending.Enqueue(item);
            Monitor.PulseAll(_gate);
        }
    }

    private ConsumeResult<byte[]?, byte[]?>? Take(TimeSpan timeout)
    {
        while (true)
        {
            object? item;
            // Blocks like Consume does: until a message is there or the timeout passes.
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    Monitor.Wait(_gate, timeout);
                }

                _pending.TryDequeue(out item);
            }

            if (item is not Action callback)
            {
                return (ConsumeResult<byte[]?, byte[]?>?)item;
            }

            callback();
        }
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        Calls.Enqueue(targetMethod.Name);
        switch (targetMethod.Name)
        {
            case "Consume" when args is [TimeSpan timeout]:
                return Take(timeout);
            case "StoreOffset" when args is [ConsumeResult<byte[]?, byte[]?> stored]:
                Stored.Enqueue(new TopicPartitionOffset(stored.TopicPartition, stored.Offset + 1));
                return null;
            case "Commit" when args is null or []:
                return new List<TopicPartitionOffset>(Stored);
            case "Subscribe" or "Close" or "Dispose":
                return null;
            case "get_Name":
                return "scripted";
            default:
                throw new NotSupportedException($"The scripted consumer does not support {targetMethod.Name}.");
        }
    }
}

/// <summary>A producer that acknowledges everything at once and keeps what it was given.</summary>
public class RecordingProducer : DispatchProxy
{
    /// <summary>Values larger than this are refused as the broker refuses them (MsgSizeTooLarge).</summary>
    public int MaxValueBytes { get; set; } = int.MaxValue;

    /// <summary>Messages produced, with their topic.</summary>
    public ConcurrentQueue<(string Topic, Message<byte[]?, byte[]?> Message)> Produced { get; } = new();

    public static (IProducer<byte[]?, byte[]?> Producer, RecordingProducer Recorder) Create()
    {
        var producer = Create<IProducer<byte[]?, byte[]?>, RecordingProducer>();
        return (producer, (RecordingProducer)(object)producer);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        switch (targetMethod.Name)
        {
            case "ProduceAsync" when args is [string topic, Message<byte[]?, byte[]?> message, ..]:
                if (message.Value?.Length > MaxValueBytes)
                {
                    return Task.FromException<DeliveryResult<byte[]?, byte[]?>>(new ProduceException<byte[]?, byte[]?>(
                        new Error(ErrorCode.MsgSizeTooLarge), new DeliveryResult<byte[]?, byte[]?> { Topic = topic, Message = message, Status = PersistenceStatus.NotPersisted }));
                }

                Produced.Enqueue((topic, message));
                return Task.FromResult(new DeliveryResult<byte[]?, byte[]?> { Topic = topic, Message = message, Status = PersistenceStatus.Persisted });
            case "Dispose":
                return null;
            default:
                throw new NotSupportedException($"The recording producer does not support {targetMethod.Name}.");
        }
    }
}
