using System.Diagnostics;
using AuditService.Ingestion;
using UserAudit.LoadTest.Load;
using UserAudit.Tests.EndToEnd;
using UserAudit.Tests.Infrastructure;
using Xunit;

namespace UserAudit.Tests.Faults;

/// <summary>
/// The fault suite: the load generator drives UserService while a part of the system fails. Each
/// scenario injects its fault once the run has acknowledged enough measured work (never after a
/// fixed delay), shows from observations that the fault hit acknowledged work, and ends with the
/// audit check by identity: every acknowledged (user, version, type) stored once, in order, and
/// nothing else. They run short in the test suite; <c>USERAUDIT_FAULTS=long</c> runs them at the
/// issue's scale (see docs/benchmarks.md). The scenarios here run on each storage provider (see the
/// derived classes); those about one provider's files live in its class.
/// </summary>
public abstract class FaultScenarios
{
    /// <summary>AuditService's resource name.</summary>
    protected const string AuditService = "audit-service";

    /// <summary>UserService's resource name.</summary>
    protected const string UserService = "user-service";

    /// <summary>UserService's CloudEvents source.</summary>
    protected const string EventSource = "urn:useraudit:user-service";

    /// <summary>Partitions of the audit topic.</summary>
    protected const int Partitions = 3;

    /// <summary>The scenarios run at the scale (<c>USERAUDIT_FAULTS=long</c>) rather than short.</summary>
    internal static readonly bool Long = Environment.GetEnvironmentVariable("USERAUDIT_FAULTS") == "long";

    /// <summary>The application the faults strike; one of the class's own.</summary>
    protected abstract UserAuditApp App { get; }

    /// <summary>The test's cancellation.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Broker_away_for_ten_seconds_during_load_holds_acknowledged_changes_and_loses_none()
    {
        var (rate, seconds) = (Long ? 500 : 100, Long ? 60 : 14);
        var (runner, running) = await AppLoad.StartAsync(App, rate, seconds, Ct);

        long downFrom, upRequested;
        DateTimeOffset upRequestedAt;
        long peakPending;
        await using (var outbox = OutboxSampler.Start(App))
        {
            try
            {
                await App.SetBrokerAsync(up: false, Ct);
                downFrom = Stopwatch.GetTimestamp();
                // The outage is the scenario: ten seconds of it, whatever the load does meanwhile.
                await Task.Delay(TimeSpan.FromSeconds(10), Ct);
            }
            finally
            {
                (upRequested, upRequestedAt) = (Stopwatch.GetTimestamp(), DateTimeOffset.UtcNow);
                await App.SetBrokerAsync(up: true, CancellationToken.None);
            }

            peakPending = await outbox.StopAsync();
        }

        var result = await running;
        var whileDown = runner.Ledger.AcknowledgedBetween(downFrom, upRequested);
        var stored = await AuditStoreCheck.ReadAsync(App.Audit, EventSource, DateTimeOffset.UtcNow.AddHours(-1), Ct);
        var receivedEarly = whileDown.Count(c => stored.Any(s => s.Change == c && s.ReceivedAt < upRequestedAt));
        Report($"broker away 10 s: {result.Audit!.Acknowledged} acknowledged, {whileDown.Count} of them while down, "
            + $"outbox peaked at {peakPending} pending, {Verdict(result.Audit)}");

        // The fault bit: changes were acknowledged while Kafka was away, their events were held in
        // the outbox, and none reached the audit store before the broker came back.
        Assert.NotEmpty(whileDown);
        Assert.True(peakPending > 0, "the outbox never held a pending row while the broker was down");
        Assert.Equal(0, receivedEarly);
        // Writes do not wait on Kafka: every request was answered 2xx while it was away.
        Assert.Equal(0, result.Total.Failed);
        AssertWorkFloor(result, rate, seconds);
        AssertAuditedOnceInOrder(result.Audit!, result.SettleSeconds);
    }

    [Fact]
    public async Task Audit_service_killed_mid_stream_rereads_what_it_had_not_committed_and_stores_it_once()
    {
        var (rate, seconds) = (Long ? 500 : 200, Long ? 60 : 10);
        var (runner, running) = await AppLoad.StartAsync(App, rate, seconds, Ct);

        // Strike while AuditService holds stored events whose offsets its group has not committed:
        // a crash now must make the restarted consumer read them again.
        var groupId = new IngestionOptions().GroupId;
        var uncommitted = await Eventually.GetAsync(async ct =>
        {
            var stored = await FaultEvidence.StoredOffsetsAsync(App, Partitions, ct);
            var ahead = FaultEvidence.StoredButUncommitted(stored, FaultEvidence.CommittedOffsets(App.KafkaBootstrapServers, groupId, Partitions));
            return ahead >= 10 ? (object)ahead : null;
        }, "AuditService to hold stored but uncommitted events", cancellationToken: Ct);
        var logMark = App.Logs.Count;
        await ResourceProcess.KillAsync(App, AuditService, Ct);
        await App.StartResourceAsync(AuditService, Ct);

        var result = await running;
        var redelivered = FaultEvidence.SkippedDuplicates(App.Logs, logMark);
        Report($"AuditService SIGKILL: {result.Audit!.Acknowledged} acknowledged, {uncommitted} stored but uncommitted at the kill, "
            + $"{redelivered} redelivered and skipped as duplicates after the restart, {Verdict(result.Audit)}");

        // The fault bit: the restarted consumer read stored events again, and the store kept one of each.
        Assert.True(redelivered > 0, "no event was redelivered after the restart");
        Assert.Equal(0, result.Total.Failed);
        AssertWorkFloor(result, rate, seconds);
        AssertAuditedOnceInOrder(result.Audit!, result.SettleSeconds);
    }

    [Fact]
    public async Task User_service_killed_after_answering_and_before_publishing_publishes_everything_after_restart()
    {
        var from = DateTimeOffset.UtcNow.AddSeconds(-5);
        var (rate, seconds) = (Long ? 300 : 100, Long ? 20 : 8);

        // Users made and audited while everything works: they must stay audited throughout.
        var setup = new LoadRunner(Load(rate, seconds) with { Workload = Workload.Creates, Requests = 16, Duration = TimeSpan.FromMinutes(1) });
        var created = await setup.RunAsync(cancellationToken: Ct);
        AssertAuditedOnceInOrder(created.Audit!, created.SettleSeconds);

        // With the broker away the relay cannot publish: every answered change is still only an
        // outbox row when the process dies.
        var runner = new LoadRunner(Load(rate, seconds) with { AuditService = null, ExistingUsers = setup.Users });
        await App.SetBrokerAsync(up: false, Ct);
        LoadResult result;
        AuditVerdict beforeRestart;
        try
        {
            result = await runner.RunAsync(cancellationToken: Ct);
            await ResourceProcess.KillAsync(App, UserService, Ct);
        }
        finally
        {
            await App.SetBrokerAsync(up: true, CancellationToken.None);
        }

        // Before the restart: exactly the changes acknowledged while the broker was down are missing.
        var stored = await AuditStoreCheck.ReadAsync(App.Audit, EventSource, from, Ct);
        beforeRestart = runner.Ledger.Compare(stored);
        Assert.Equal(runner.Ledger.Acknowledged, beforeRestart.Lost);
        Assert.True(setup.Ledger.Compare(stored).Passed, "a change made before the outage went missing");

        using (var restart = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            restart.CancelAfter(TimeSpan.FromMinutes(2));
            await App.StartResourceAsync(UserService, restart.Token);
        }

        var verdict = await Eventually.GetAsync(async ct =>
        {
            var v = runner.Ledger.Compare(await AuditStoreCheck.ReadAsync(App.Audit, EventSource, from, ct));
            return v.Lost == 0 ? v : null;
        }, "every acknowledged change audited after the restart", TimeSpan.FromMinutes(2), Ct);
        Report($"UserService SIGKILL before publishing: {verdict.Acknowledged} acknowledged while the broker was down, "
            + $"{beforeRestart.Lost} of them missing before the restart, {Verdict(verdict)} after it");
        Assert.Equal(0, result.Total.Failed);
        AssertWorkFloor(result, rate, seconds);
        AssertAuditedOnceInOrder(verdict, settleSeconds: 0);
    }

    protected LoadOptions Load(double rate, int seconds) => AppLoad.Options(App, rate, seconds);

    protected static string Verdict(AuditVerdict verdict) =>
        verdict.Passed ? "all audited once, in order" : verdict.ToString();

    protected static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    /// <summary>The load phase really ran: at least half the requests its rate and length call for succeeded.</summary>
    protected static void AssertWorkFloor(LoadResult result, double rate, int seconds) =>
        Assert.True(result.Total.Succeeded >= rate * seconds / 2,
            $"the load phase did too little: {result.Total.Succeeded} succeeded, at least {rate * seconds / 2} expected");

    protected static void AssertAuditedOnceInOrder(AuditVerdict verdict, double? settleSeconds) => AppLoad.AssertAuditedOnceInOrder(verdict, settleSeconds);
}
