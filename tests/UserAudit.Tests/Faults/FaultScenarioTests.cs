using System.Collections.Concurrent;
using System.Diagnostics;
using AuditService.Ingestion;
using UserAudit.LoadTest.Load;
using UserAudit.Tests.EndToEnd;
using UserAudit.Tests.Infrastructure;
using UserAudit.Tests.Ingestion;
using Xunit;

namespace UserAudit.Tests.Faults;

/// <summary>
/// The fault suite: the load generator drives UserService while a part of the system fails. Each
/// scenario injects its fault once the run has acknowledged enough measured work (never after a
/// fixed delay), shows from observations that the fault hit acknowledged work, and ends with the
/// audit check by identity: every acknowledged (user, version, type) stored once, in order, and
/// nothing else. They run short in the test suite; <c>USERAUDIT_FAULTS=long</c> runs them at the
/// issue's scale (see docs/benchmarks.md).
/// </summary>
[Collection(typeof(LoadSensitive))]
public sealed partial class FaultScenarioTests(FaultSuiteApp fault) : IClassFixture<FaultSuiteApp>
{
    private const string AuditService = "audit-service";
    private const string UserService = "user-service";
    private const string EventSource = "urn:useraudit:user-service";
    private const int Partitions = 3;

    /// <summary>The scenarios run at the scale (<c>USERAUDIT_FAULTS=long</c>) rather than short.</summary>
    internal static readonly bool Long = Environment.GetEnvironmentVariable("USERAUDIT_FAULTS") == "long";

    private UserAuditApp App => fault.App;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Broker_away_for_ten_seconds_during_load_holds_acknowledged_changes_and_loses_none()
    {
        var (rate, seconds) = (Long ? 500 : 100, Long ? 60 : 14);
        var runner = new LoadRunner(Load(rate, seconds));
        var running = runner.RunAsync(cancellationToken: Ct);
        await runner.WaitForMeasuredAsync(rate * 2, running, Ct);

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
        var runner = new LoadRunner(Load(rate, seconds));
        var running = runner.RunAsync(cancellationToken: Ct);
        await runner.WaitForMeasuredAsync(rate * 2, running, Ct);

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
        var (rate, seconds) = (Long ? 300 : 100, Long ? 20 : 5);

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

    [Fact]
    public async Task Poison_burst_during_load_is_dead_lettered_and_the_load_loses_and_duplicates_nothing()
    {
        var (rate, seconds) = (Long ? 500 : 100, Long ? 60 : 8);
        var runner = new LoadRunner(Load(rate, seconds));
        var running = runner.RunAsync(cancellationToken: Ct);
        await runner.WaitForMeasuredAsync(rate * 2, running, Ct);

        using var kafka = new AuditTopicClient(App.KafkaBootstrapServers);
        var kinds = (string[])["not-a-cloud-event", "invalid-time", "invalid-utf8-header", "data-not-json"];
        var burst = Long ? 5_000 : 400;
        var poisons = await Task.WhenAll(Enumerable.Range(0, burst).Select(i =>
            kafka.ProduceAsync(PoisonMessageTests.Poison(kinds[i % kinds.Length], $"burst-{i}-{Guid.NewGuid():N}"), Ct)));

        var result = await running;
        Report($"poison burst of {burst}: {Verdict(result.Audit!)}");
        Assert.Equal(0, result.Total.Failed);
        AssertWorkFloor(result, rate, seconds);
        AssertAuditedOnceInOrder(result.Audit!, result.SettleSeconds);
        foreach (var poison in poisons)
        {
            await kafka.WaitForDeadLetterAsync(poison.TopicPartitionOffset, Ct);
        }
    }

    // Offsets are stored only after the database commit: a process killed at any point loses
    // nothing, and what it stored but had not committed yet is read again and skipped. Here the
    // stream comes straight to the topic at about 2,000 events a second, faster than the load
    // generator's path through UserService.
    [Fact]
    public async Task Audit_service_killed_while_consuming_a_direct_stream_and_restarted_stores_every_event_exactly_once()
    {
        var app = App;
        using var kafka = new AuditTopicClient(app.KafkaBootstrapServers);
        var subject = "crash-" + Guid.NewGuid().ToString("N");
        var database = Path.Combine(app.DataRoot, AuditService, "audit.db");

        // A steady stream, so that the kill lands while batches are being filled and written.
        var produced = new ConcurrentBag<string>();
        using var stopProducing = new CancellationTokenSource();
        var producing = ProduceUntilStoppedAsync(kafka, subject, produced, stopProducing.Token);

        await Eventually.TrueAsync(async ct => (await AuditTopicClient.CountStoredAsync(database, subject, ct)).Rows >= 300,
            "300 events stored before the kill", cancellationToken: Ct);
        await ResourceProcess.KillAsync(app, AuditService, Ct);
        var storedWhenKilled = (await AuditTopicClient.CountStoredAsync(database, subject, Ct)).Rows;
        stopProducing.Cancel();
        await producing;
        Assert.True(produced.Count > storedWhenKilled, $"the kill should leave events unconsumed ({produced.Count} produced, {storedWhenKilled} stored)");

        using (var restart = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            restart.CancelAfter(TimeSpan.FromMinutes(2));
            await app.StartResourceAsync(AuditService, restart.Token);
        }

        var expected = produced.ToHashSet();
        var (rows, distinct, ids) = await Eventually.GetAsync(async ct =>
        {
            var count = await AuditTopicClient.CountStoredAsync(database, subject, ct);
            return count.Rows >= expected.Count ? Tuple.Create(count.Rows, count.Distinct, count.Ids) : null;
        }, $"{expected.Count} events stored after the restart", cancellationToken: Ct);
        Assert.Equal(expected.Count, rows);
        Assert.Equal(rows, distinct);
        Assert.True(expected.SetEquals(ids), "every produced id is stored");
    }

    private static async Task ProduceUntilStoppedAsync(AuditTopicClient kafka, string subject, ConcurrentBag<string> produced, CancellationToken stop)
    {
        // About 2,000 events a second over twelve keys (all three partitions).
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(25));
        var n = 0;
        while (!stop.IsCancellationRequested)
        {
            var chunk = new List<(string Id, Task Delivery)>(50);
            for (var i = 0; i < 50; i++, n++)
            {
                var cloudEvent = AuditTopicClient.NewEvent(subject);
                chunk.Add((cloudEvent.Id!, kafka.ProduceAsync(cloudEvent, $"{subject}-{n % 12}", CancellationToken.None)));
            }

            foreach (var (id, delivery) in chunk)
            {
                await delivery;
                produced.Add(id);
            }

            try
            {
                await pace.WaitForNextTickAsync(stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private LoadOptions Load(double rate, int seconds) => AppLoad.Options(App, rate, seconds);

    private static string Verdict(AuditVerdict verdict) =>
        verdict.Passed ? "all audited once, in order" : verdict.ToString();

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    /// <summary>The load phase really ran: at least half the requests its rate and length call for succeeded.</summary>
    private static void AssertWorkFloor(LoadResult result, double rate, int seconds) =>
        Assert.True(result.Total.Succeeded >= rate * seconds / 2,
            $"the load phase did too little: {result.Total.Succeeded} succeeded, at least {rate * seconds / 2} expected");

    private static void AssertAuditedOnceInOrder(AuditVerdict verdict, double? settleSeconds) => AppLoad.AssertAuditedOnceInOrder(verdict, settleSeconds);
}
