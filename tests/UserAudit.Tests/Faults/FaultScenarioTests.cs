using UserAudit.LoadTest.Load;
using UserAudit.Tests.EndToEnd;
using UserAudit.Tests.Infrastructure;
using UserAudit.Tests.Ingestion;
using Xunit;

namespace UserAudit.Tests.Faults;

/// <summary>
/// The fault suite: the load generator drives UserService while a part of the system fails, and
/// each scenario ends with the audit check "acknowledged N, audited N, lost 0, duplicates 0".
/// They run short in the test suite; <c>USERAUDIT_FAULTS=long</c> runs them at the scale
/// (see docs/benchmarks.md).
/// </summary>
public sealed class FaultScenarioTests(IsolatedUserAuditApp fault) : IClassFixture<IsolatedUserAuditApp>
{
    private const string AuditService = "audit-service";
    private const string UserService = "user-service";

    private static readonly bool Long = Environment.GetEnvironmentVariable("USERAUDIT_FAULTS") == "long";

    private UserAuditApp App => fault.App;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Broker_away_for_ten_seconds_during_load_loses_and_duplicates_nothing()
    {
        var options = Load(rate: Long ? 500 : 100, seconds: Long ? 60 : 20);
        var runner = new LoadRunner(options);
        var running = runner.RunAsync(cancellationToken: Ct);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(Long ? 20 : 4), Ct);
            await App.SetBrokerAsync(up: false, Ct);
            await Task.Delay(TimeSpan.FromSeconds(10), Ct);
        }
        finally
        {
            await App.SetBrokerAsync(up: true, CancellationToken.None);
        }

        var result = await running;
        Report("broker away 10 s", result.Audit!);
        // Writes do not wait on Kafka: every request was answered 2xx while it was away.
        Assert.Equal(0, result.Total.Failed);
        AssertNothingLostOrDuplicated(result.Audit!, result.SettleSeconds);
    }

    [Fact]
    public async Task Audit_service_killed_mid_stream_and_restarted_loses_and_duplicates_nothing()
    {
        var runner = new LoadRunner(Load(rate: Long ? 500 : 200, seconds: Long ? 60 : 15));
        var running = runner.RunAsync(cancellationToken: Ct);
        await Task.Delay(TimeSpan.FromSeconds(Long ? 20 : 5), Ct);
        await ResourceProcess.KillAsync(App, AuditService, Ct);
        await App.StartResourceAsync(AuditService, Ct);

        var result = await running;
        Report("AuditService SIGKILL", result.Audit!);
        Assert.Equal(0, result.Total.Failed);
        AssertNothingLostOrDuplicated(result.Audit!, result.SettleSeconds);
    }

    [Fact]
    public async Task User_service_killed_after_answering_and_before_publishing_publishes_everything_after_restart()
    {
        var from = DateTimeOffset.UtcNow.AddSeconds(-5);
        // With the broker away the relay cannot publish: every answered change is still only an
        // outbox row when the process dies.
        await App.SetBrokerAsync(up: false, Ct);
        LoadRunner runner;
        try
        {
            runner = new LoadRunner(Load(rate: Long ? 300 : 100, seconds: Long ? 20 : 5) with { AuditService = null });
            var result = await runner.RunAsync(cancellationToken: Ct);
            Assert.Equal(0, result.Total.Failed);
            await ResourceProcess.KillAsync(App, UserService, Ct);
        }
        finally
        {
            await App.SetBrokerAsync(up: true, CancellationToken.None);
        }

        using (var restart = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            restart.CancelAfter(TimeSpan.FromMinutes(2));
            await App.StartResourceAsync(UserService, restart.Token);
        }

        var verdict = await Eventually.GetAsync(async ct =>
        {
            var v = runner.Ledger.Compare(await AuditStoreCheck.CountAsync(App.Audit, "urn:useraudit:user-service", from, ct));
            return v.Lost == 0 ? v : null;
        }, "every acknowledged change audited after the restart", TimeSpan.FromMinutes(2), Ct);
        Report("UserService SIGKILL before publishing", verdict);
        Assert.True(verdict.Acknowledged > 0);
        AssertNothingLostOrDuplicated(verdict, settleSeconds: 0);
    }

    [Fact]
    public async Task Poison_burst_during_load_is_dead_lettered_and_the_load_loses_and_duplicates_nothing()
    {
        var runner = new LoadRunner(Load(rate: Long ? 500 : 100, seconds: Long ? 60 : 12));
        var running = runner.RunAsync(cancellationToken: Ct);
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);

        using var kafka = new AuditTopicClient(App.KafkaBootstrapServers);
        var kinds = (string[])["not-a-cloud-event", "invalid-time", "invalid-utf8-header", "data-not-json"];
        var burst = Long ? 5_000 : 400;
        var poisons = await Task.WhenAll(Enumerable.Range(0, burst).Select(i =>
            kafka.ProduceAsync(PoisonMessageTests.Poison(kinds[i % kinds.Length], $"burst-{i}-{Guid.NewGuid():N}"), Ct)));

        var result = await running;
        Report($"poison burst of {burst}", result.Audit!);
        Assert.Equal(0, result.Total.Failed);
        AssertNothingLostOrDuplicated(result.Audit!, result.SettleSeconds);
        foreach (var poison in poisons)
        {
            await kafka.WaitForDeadLetterAsync(poison.TopicPartitionOffset, Ct);
        }
    }

    private LoadOptions Load(double rate, int seconds) => new()
    {
        UserService = App.Users.BaseAddress!,
        AuditService = App.Audit.BaseAddress!,
        AuditApiKey = App.AuditApiKey,
        Connections = 8,
        Rate = rate,
        Duration = TimeSpan.FromSeconds(seconds),
        Workload = Workload.Renames,
        PollInterval = TimeSpan.FromMilliseconds(100),
        SettleTimeout = TimeSpan.FromMinutes(2),
        Processes = [],
    };

    private static void Report(string scenario, AuditVerdict verdict) =>
        TestContext.Current.TestOutputHelper?.WriteLine($"{scenario}: {verdict}");

    private static void AssertNothingLostOrDuplicated(AuditVerdict verdict, double? settleSeconds)
    {
        Assert.True(verdict.Acknowledged > 0, "the scenario acknowledged no change");
        Assert.True(settleSeconds is not null, $"not every acknowledged change became visible before the settle timeout: {verdict}");
        Assert.Equal(verdict.Acknowledged, verdict.Audited);
        Assert.Equal(0, verdict.Lost);
        Assert.Equal(0, verdict.Duplicates);
    }
}
