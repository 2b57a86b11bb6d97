using System.Collections.Concurrent;

namespace UserAudit.LoadTest.Load;

/// <summary>A change's identity for auditing: which user, which event type.</summary>
public readonly record struct ChangeKey(string Subject, string Type);

/// <summary>
/// Every change the clients sent, by outcome: acknowledged (a 2xx), uncertain (the connection
/// failed after the request may have reached the service), or refused (a 4xx/5xx, or no
/// connection: certainly not applied). Acknowledged changes must all be audited; an uncertain one
/// may or may not be.
/// </summary>
public sealed class Ledger
{
    private readonly ConcurrentDictionary<ChangeKey, Entry> _entries = new();

    /// <summary>Acknowledged changes.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Changes whose answer was lost with the connection.</summary>
    public long Uncertain => Interlocked.Read(ref _uncertain);

    private long _acknowledged;
    private long _uncertain;

    /// <summary>Records a 2xx; <paramref name="timestamp"/> (Stopwatch ticks) and <paramref name="measured"/> feed the freshness figures.</summary>
    public void Acknowledge(ChangeKey key, long timestamp, bool measured)
    {
        var entry = _entries.GetOrAdd(key, static _ => new Entry());
        lock (entry)
        {
            entry.Acks.Add(measured ? timestamp : -1);
        }

        Interlocked.Increment(ref _acknowledged);
    }

    /// <summary>Records a change that may or may not have been applied.</summary>
    public void MarkUncertain(ChangeKey key)
    {
        var entry = _entries.GetOrAdd(key, static _ => new Entry());
        lock (entry)
        {
            entry.Uncertain++;
        }

        Interlocked.Increment(ref _uncertain);
    }

    /// <summary>The entries, for matching against what the audit store holds.</summary>
    public IEnumerable<KeyValuePair<ChangeKey, Entry>> Entries => _entries;

    /// <summary>
    /// Compares with the events stored per key: lost = acknowledged without an event; duplicates =
    /// events beyond the acknowledged and uncertain changes.
    /// </summary>
    public AuditVerdict Compare(IReadOnlyDictionary<ChangeKey, int> stored)
    {
        long acknowledged = 0, audited = 0, lost = 0, duplicates = 0, uncertain = 0, uncertainApplied = 0;
        foreach (var (key, entry) in _entries)
        {
            var acks = entry.Acks.Count;
            var events = stored.GetValueOrDefault(key);
            acknowledged += acks;
            uncertain += entry.Uncertain;
            audited += Math.Min(acks, events);
            lost += Math.Max(0, acks - events);
            uncertainApplied += Math.Clamp(events - acks, 0, entry.Uncertain);
            duplicates += Math.Max(0, events - acks - entry.Uncertain);
        }

        return new AuditVerdict(acknowledged, audited, lost, duplicates, uncertain, uncertainApplied);
    }

    /// <summary>The changes of one key.</summary>
    public sealed class Entry
    {
        /// <summary>Acknowledgement times in Stopwatch ticks, in the order the user's changes were made; -1 for changes outside the measured phase.</summary>
        public List<long> Acks { get; } = [];

        /// <summary>Changes of this key with a lost answer.</summary>
        public int Uncertain { get; set; }
    }
}

/// <summary>The audit check of a run.</summary>
/// <param name="Acknowledged">Changes answered 2xx.</param>
/// <param name="Audited">Acknowledged changes whose event is stored.</param>
/// <param name="Lost">Acknowledged changes without a stored event.</param>
/// <param name="Duplicates">Stored events beyond one per change.</param>
/// <param name="Uncertain">Changes whose answer was lost with the connection.</param>
/// <param name="UncertainApplied">Uncertain changes that turned out applied (their event is stored).</param>
public sealed record AuditVerdict(long Acknowledged, long Audited, long Lost, long Duplicates, long Uncertain, long UncertainApplied)
{
    /// <summary>The one-line summary every fault scenario ends with.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"acknowledged {Acknowledged}, audited {Audited}, lost {Lost}, duplicates {Duplicates}")
        + (Uncertain > 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (uncertain {Uncertain}, of which applied {UncertainApplied})") : "");
}
