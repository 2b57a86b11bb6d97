using UserAudit.LoadTest.Load;
using Xunit;

namespace UserAudit.Tests.Faults;

/// <summary>The audit check compares identities (user, version, type), so no two mistakes cancel out.</summary>
public sealed class LedgerTests
{
    private const string Renamed = "org.useraudit.user.updated.v1";
    private const string Created = "org.useraudit.user.created.v1";

    private static StoredChange Stored(string user, long version, string type, long offset, int partition = 0) =>
        new(new ChangeId(user, version, type), partition, offset);

    private static Ledger Acknowledged(string user, params (long Version, string Type)[] changes)
    {
        var ledger = new Ledger();
        foreach (var (version, type) in changes)
        {
            ledger.Acknowledge(new ChangeId(user, version, type), timestamp: version, measured: true);
        }

        return ledger;
    }

    [Fact]
    public void A_lost_rename_and_a_republished_rename_of_the_same_user_are_both_reported()
    {
        var ledger = Acknowledged("u", (1, Created), (2, Renamed), (3, Renamed));

        // Counted per (user, type) this was "two renames acknowledged, two stored": lost 0, duplicates 0.
        var verdict = ledger.Compare([Stored("u", 1, Created, 0), Stored("u", 2, Renamed, 1), Stored("u", 2, Renamed, 2)]);

        Assert.Equal(1, verdict.Lost);
        Assert.Equal(1, verdict.Duplicates);
        Assert.False(verdict.Passed);
        Assert.Contains("lost: u v3 updated.v1", verdict.Examples);
        Assert.Contains("duplicated: u v2 updated.v1", verdict.Examples);
    }

    [Fact]
    public void A_users_versions_stored_against_their_kafka_order_are_out_of_order()
    {
        var ledger = Acknowledged("u", (1, Created), (2, Renamed), (3, Renamed));

        var verdict = ledger.Compare([Stored("u", 1, Created, 10), Stored("u", 3, Renamed, 11), Stored("u", 2, Renamed, 12)]);

        Assert.Equal(1, verdict.OutOfOrder);
        Assert.Equal(0, verdict.Lost);
        Assert.False(verdict.Passed);
    }

    [Fact]
    public void A_users_events_on_two_partitions_are_out_of_order()
    {
        var ledger = Acknowledged("u", (1, Created), (2, Renamed));

        var verdict = ledger.Compare([Stored("u", 1, Created, 10, partition: 0), Stored("u", 2, Renamed, 3, partition: 1)]);

        Assert.Equal(1, verdict.OutOfOrder);
    }

    [Fact]
    public void A_stored_change_nobody_acknowledged_is_unexpected_and_an_uncertain_one_may_appear_once()
    {
        var ledger = Acknowledged("u", (1, Created));
        ledger.MarkUncertain(new ChangeId("u", 2, Renamed));
        ledger.MarkRefused();

        var once = ledger.Compare([Stored("u", 1, Created, 0), Stored("u", 2, Renamed, 1), Stored("u", 3, Renamed, 2)]);
        var twice = ledger.Compare([Stored("u", 1, Created, 0), Stored("u", 2, Renamed, 1), Stored("u", 2, Renamed, 2)]);

        Assert.Equal(1, once.Unexpected);
        Assert.Equal(1, once.UncertainApplied);
        Assert.Equal(1, twice.Duplicates);
    }

    [Fact]
    public void A_version_missing_between_two_stored_ones_is_a_gap_though_its_change_was_never_acknowledged()
    {
        // v2 answered 503 (or its connection broke) but was applied; its event never reached the store.
        var ledger = Acknowledged("u", (1, Created), (3, Renamed));
        ledger.MarkUncertain(new ChangeId("u", 2, Renamed));

        var verdict = ledger.Compare([Stored("u", 1, Created, 0), Stored("u", 3, Renamed, 1)]);
        var whole = ledger.Compare([Stored("u", 1, Created, 0), Stored("u", 2, Renamed, 1), Stored("u", 3, Renamed, 2)]);

        Assert.Equal((0L, 1L), (verdict.Lost, verdict.Gaps));
        Assert.False(verdict.Passed);
        Assert.Contains("version gap: u v2 any", verdict.Examples);
        Assert.True(whole.Passed, whole.ToString());
    }

    [Fact]
    public void A_lost_acknowledged_change_is_counted_once_as_lost_not_again_as_a_gap()
    {
        var ledger = Acknowledged("u", (1, Created), (2, Renamed), (3, Renamed));

        var verdict = ledger.Compare([Stored("u", 1, Created, 0), Stored("u", 3, Renamed, 1)]);

        Assert.Equal((1L, 0L), (verdict.Lost, verdict.Gaps));
    }

    [Fact]
    public void Events_of_other_users_and_history_before_the_run_are_not_judged()
    {
        var ledger = new Ledger();
        ledger.Track("existing", knownVersion: 5);
        ledger.Acknowledge(new ChangeId("existing", 6, Renamed), 1, measured: true);

        var verdict = ledger.Compare([Stored("existing", 5, Renamed, 0), Stored("existing", 6, Renamed, 1), Stored("someone-else", 1, Created, 0)]);

        Assert.True(verdict.Passed, verdict.ToString());
        Assert.Equal(1, verdict.Audited);
    }
}
