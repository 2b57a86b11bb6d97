using System.Collections.Concurrent;

namespace UserAudit.LoadTest.Load;

/// <summary>
/// Every change the clients made, by identity (<see cref="ChangeId"/>) and outcome: acknowledged
/// (a 2xx), uncertain (a 5xx, or the connection failed after the request may have reached the
/// service), or refused (a 4xx, or no connection: certainly not applied, so it has no identity of its
/// own). Acknowledged changes must each be audited exactly once; an uncertain one at most once; and
/// no version of a user may be missing between two stored ones.
/// </summary>
public sealed class Ledger
{
    // A version missing altogether has no event to name its type.
    private const string AnyType = "org.useraudit.user.any";

    private readonly ConcurrentDictionary<ChangeId, ChangeRecord> _changes = new();
    // The users the run works on, and the version each had before the run touched it: earlier
    // history (another run's changes) is not this run's to judge.
    private readonly ConcurrentDictionary<string, long> _subjects = new(StringComparer.Ordinal);
    private long _acknowledged;
    private long _measuredAcknowledged;
    private long _uncertain;
    private long _refused;

    /// <summary>Acknowledged changes.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Acknowledged changes of the measured phase (not the set-up).</summary>
    public long MeasuredAcknowledged => Interlocked.Read(ref _measuredAcknowledged);

    /// <summary>Changes whose answer was lost with the connection.</summary>
    public long Uncertain => Interlocked.Read(ref _uncertain);

    /// <summary>Changes the service refused (or never received).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Every change with an identity, and its outcome.</summary>
    public IEnumerable<KeyValuePair<ChangeId, ChangeRecord>> Changes => _changes;

    /// <summary>Notes a user the run works on, so that the check looks at its events from <paramref name="knownVersion"/> on.</summary>
    /// <param name="subject">The user id.</param>
    /// <param name="knownVersion">The version it had when the run took it over; 0 for a user the run creates.</param>
    public void Track(string subject, long knownVersion = 0) => _subjects.TryAdd(subject, knownVersion);

    /// <summary>Records a 2xx at <paramref name="timestamp"/> (Stopwatch ticks).</summary>
    public void Acknowledge(ChangeId change, long timestamp, bool measured)
    {
        Track(change.Subject);
        // An uncertain guess for the same identity turned out wrong: this acknowledgement names it.
        _changes[change] = new ChangeRecord(ChangeOutcome.Acknowledged, timestamp, measured);
        Interlocked.Increment(ref _acknowledged);
        if (measured)
        {
            Interlocked.Increment(ref _measuredAcknowledged);
        }
    }

    /// <summary>Records a change that may or may not have been applied, under the identity it would have.</summary>
    public void MarkUncertain(ChangeId change)
    {
        Track(change.Subject);
        _changes.TryAdd(change, new ChangeRecord(ChangeOutcome.Uncertain, -1, Measured: false));
        Interlocked.Increment(ref _uncertain);
    }

    /// <summary>Records a refused change.</summary>
    public void MarkRefused() => Interlocked.Increment(ref _refused);

    /// <summary>The changes acknowledged between two Stopwatch timestamps (inclusive).</summary>
    public IReadOnlyList<ChangeId> AcknowledgedBetween(long from, long to) =>
        [.. _changes.Where(c => c.Value.Outcome == ChangeOutcome.Acknowledged && c.Value.AcknowledgedAt >= from && c.Value.AcknowledgedAt <= to).Select(c => c.Key)];

    /// <summary>
    /// Compares with what a consumer holds. Events of users this run did not touch are ignored (a
    /// shared application holds other tests' events too).
    /// </summary>
    /// <param name="stored">Every event stored (or read), one entry per copy.</param>
    public AuditVerdict Compare(IEnumerable<StoredChange> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var mine = stored.Where(s => _subjects.TryGetValue(s.Change.Subject, out var before) && s.Change.Version > before).ToList();
        var copies = mine.GroupBy(s => s.Change).ToDictionary(g => g.Key, g => g.Count());
        var lost = new List<ChangeId>();
        var duplicated = new List<ChangeId>();
        var unexpected = new List<ChangeId>();
        long acknowledged = 0, uncertain = 0, uncertainApplied = 0, duplicates = 0;
        foreach (var (change, record) in _changes)
        {
            var count = copies.GetValueOrDefault(change);
            if (record.Outcome == ChangeOutcome.Acknowledged)
            {
                acknowledged++;
                if (count == 0)
                {
                    lost.Add(change);
                }
            }
            else
            {
                uncertain++;
                uncertainApplied += count > 0 ? 1 : 0;
            }
        }

        foreach (var (change, count) in copies)
        {
            if (count > 1)
            {
                duplicates += count - 1;
                duplicated.Add(change);
            }

            if (!_changes.ContainsKey(change))
            {
                unexpected.Add(change);
            }
        }

        var outOfOrder = OutOfOrder(mine);
        var gaps = Gaps(mine, lost);
        return new AuditVerdict(
            acknowledged, acknowledged - lost.Count, lost.Count, duplicates, outOfOrder.Count, unexpected.Count, uncertain, uncertainApplied,
            [.. Examples("lost", lost), .. Examples("version gap", gaps), .. Examples("duplicated", duplicated), .. Examples("out of order", outOfOrder),
                .. Examples("unexpected", unexpected)],
            gaps.Count);
    }

    /// <summary>
    /// The versions missing between a user's first version of this run and its latest stored one
    /// that are not already counted as lost: applied changes whose answer did not say so, and whose
    /// event is gone. (A missing version after the latest stored one cannot be told from an event
    /// still on its way, and is not judged.)
    /// </summary>
    private List<ChangeId> Gaps(List<StoredChange> stored, List<ChangeId> lost)
    {
        var lostVersions = lost.Select(c => (c.Subject, c.Version)).ToHashSet();
        var gaps = new List<ChangeId>();
        foreach (var user in stored.GroupBy(s => s.Change.Subject))
        {
            var versions = user.Select(s => s.Change.Version).ToHashSet();
            for (var version = _subjects[user.Key] + 1; version < versions.Max(); version++)
            {
                if (!versions.Contains(version) && !lostVersions.Contains((user.Key, version)))
                {
                    gaps.Add(new ChangeId(user.Key, version, AnyType));
                }
            }
        }

        return gaps;
    }

    /// <summary>
    /// One user's events share a partition (the key is the user id) and must come in the order of
    /// their versions; a version lower than the one before it, or a user's events on two
    /// partitions, is out of order.
    /// </summary>
    private static List<ChangeId> OutOfOrder(List<StoredChange> stored)
    {
        var wrong = new List<ChangeId>();
        foreach (var user in stored.Where(s => s.Partition >= 0).GroupBy(s => s.Change.Subject))
        {
            var ordered = user.OrderBy(s => s.Partition).ThenBy(s => s.Offset).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                if (ordered[i].Partition != ordered[i - 1].Partition || ordered[i].Change.Version < ordered[i - 1].Change.Version)
                {
                    wrong.Add(ordered[i].Change);
                }
            }
        }

        return wrong;
    }

    private static IEnumerable<string> Examples(string what, List<ChangeId> changes) =>
        changes.Take(5).Select(c => $"{what}: {c}");
}
