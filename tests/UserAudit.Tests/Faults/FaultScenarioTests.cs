using System.Collections.Concurrent;
using UserAudit.Tests.EndToEnd;
using UserAudit.Tests.Infrastructure;
using UserAudit.Tests.Ingestion;
using Xunit;

namespace UserAudit.Tests.Faults;

/// <summary>
/// The fault suite on SQLite, the embedded default: the scenarios every provider runs, and those
/// about SQLite's files (a direct stream read back from <c>audit.db</c>; each service's disk full is
/// <see cref="DiskFullTests"/>, on an application of its own).
/// </summary>
[Collection(typeof(LoadSensitive))]
public sealed class FaultScenarioTests(IsolatedUserAuditApp fault) : FaultScenarios, IClassFixture<IsolatedUserAuditApp>
{
    /// <inheritdoc />
    protected override UserAuditApp App => fault.App;

    [Fact]
    public async Task Poison_burst_during_load_is_dead_lettered_and_the_load_loses_and_duplicates_nothing()
    {
        var (rate, seconds) = (Long ? 500 : 100, Long ? 60 : 8);
        var (runner, running) = await AppLoad.StartAsync(App, rate, seconds, Ct);

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
        // About 2,000 events a second, spread over all three partitions.
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(25));
        var n = 0;
        while (!stop.IsCancellationRequested)
        {
            var chunk = new List<(string Id, Task Delivery)>(50);
            for (var i = 0; i < 50; i++, n++)
            {
                var cloudEvent = AuditTopicClient.NewEvent(subject);
                chunk.Add((cloudEvent.Id!, kafka.ProduceAsync(cloudEvent, AuditTopicClient.SpreadKey(subject, n), CancellationToken.None)));
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
}
