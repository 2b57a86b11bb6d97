using System.Collections.Concurrent;
using UserAudit.Tests.EndToEnd;
using UserAudit.Tests.Infrastructure;
using Xunit;

namespace UserAudit.Tests.Ingestion;

/// <summary>
/// Offsets are stored only after the database commit: a process killed at any point loses nothing,
/// and what it stored but had not committed yet is read again and skipped as duplicates.
/// </summary>
public sealed class CrashRecoveryTests
{
    private const string AuditService = "audit-service";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Audit_service_killed_while_consuming_and_restarted_stores_every_event_exactly_once()
    {
        await using var app = new UserAuditApp();
        await app.InitializeAsync();
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
}
