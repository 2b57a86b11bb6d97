using System.Collections.Concurrent;

namespace AuditService.Streaming;

/// <summary>
/// Tells live streams that events were stored: <see cref="AuditService.Ingestion.AuditEventWriter"/>,
/// which both ingestion paths (Kafka and HTTP) go through, calls <see cref="Notify"/> after each commit
/// that stored something. A notification carries no events, only "look again": every stream reads
/// what is new from the store after its own position, so a slow stream holds no backlog in memory
/// and a missed wake-up costs latency, never an event.
/// </summary>
public sealed class AuditEventSignal
{
    private readonly ConcurrentDictionary<AuditEventSubscription, byte> _subscriptions = new();

    /// <summary>Streams listening now.</summary>
    public int Subscribers => _subscriptions.Count;

    /// <summary>Wakes every subscription; one that is already awake stays so (wake-ups coalesce).</summary>
    public void Notify()
    {
        foreach (var subscription in _subscriptions.Keys)
        {
            subscription.Wake();
        }
    }

    /// <summary>Starts listening; dispose the subscription to stop.</summary>
    public AuditEventSubscription Subscribe()
    {
        var subscription = new AuditEventSubscription(s => _subscriptions.TryRemove(s, out _));
        _subscriptions.TryAdd(subscription, 0);
        return subscription;
    }
}
