using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using UserAudit.Tests.EndToEnd;
using UserAudit.Tests.Infrastructure;
using Xunit;

namespace UserAudit.Tests.Ingestion;

/// <summary>
/// Several AuditService replicas in one consumer group split the partitions and write one shared
/// database; the (source, id) constraint keeps one row per event across them.
/// </summary>
public sealed class ReplicaTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_replicas_both_serve_partitions_and_store_every_event_exactly_once()
    {
        await using var app = new UserAuditApp();
        app.Arguments.Add("--AuditService:Replicas=2");
        await app.InitializeAsync();
        var replicas = await RunningReplicasAsync(app, "audit-service", 2);

        var logs = replicas.ToDictionary(r => r, _ => new ConcurrentQueue<string>());
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var watchers = replicas.Select(r => CollectLogsAsync(app, r, logs[r], stopWatching.Token)).ToArray();

        // Both replicas joined the group and got partitions of the audit topic.
        try
        {
            await Eventually.TrueAsync(_ => Task.FromResult(logs.Values.All(l => l.Any(line => line.Contains("Partitions assigned: [\"audit [", StringComparison.Ordinal)))),
            "both replicas assigned partitions of the audit topic", cancellationToken: Ct);
        }
        catch (TimeoutException)
        {
            foreach (var (replica, lines) in logs)
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"--- {replica}: {lines.Count} lines");
                foreach (var line in lines.Where(l => l.Contains("artition", StringComparison.Ordinal) || l.Contains("ebalance", StringComparison.Ordinal)).Take(40))
                {
                    TestContext.Current.TestOutputHelper?.WriteLine(line);
                }
            }

            throw;
        }

        using var kafka = new AuditTopicClient(app.KafkaBootstrapServers);
        var subject = "replicas-" + Guid.NewGuid().ToString("N");
        var ids = new HashSet<string>();
        var partitions = new HashSet<int>();
        for (var i = 0; i < 300; i++)
        {
            var cloudEvent = AuditTopicClient.NewEvent(subject);
            var delivered = await kafka.ProduceAsync(cloudEvent, AuditTopicClient.SpreadKey(subject, i), Ct);
            ids.Add(cloudEvent.Id!);
            partitions.Add(delivered.Partition.Value);
        }

        Assert.Equal([0, 1, 2], partitions.Order());
        var database = Path.Combine(app.DataRoot, "audit-service", "audit.db");
        var stored = await Eventually.GetAsync(async ct =>
        {
            var count = await AuditTopicClient.CountStoredAsync(database, subject, ct);
            return count.Rows >= ids.Count ? Tuple.Create(count.Rows, count.Distinct, count.Ids) : null;
        }, $"{ids.Count} events stored by the replicas", cancellationToken: Ct);
        Assert.Equal(ids.Count, stored.Item1);
        Assert.Equal(ids.Count, stored.Item2);
        Assert.True(ids.SetEquals(stored.Item3), "every produced id is stored");

        // Each replica stored some of them: the work really was split.
        bool StoredBy(IEnumerable<string> lines) =>
            lines.Any(line => line.Contains("CloudEvent stored:", StringComparison.Ordinal) && line.Contains($"subject={subject}", StringComparison.Ordinal));
        await Eventually.TrueAsync(_ => Task.FromResult(logs.Values.All(StoredBy)),
            "both replicas logged stored events of the test", cancellationToken: Ct);

        await stopWatching.CancelAsync();
        await Task.WhenAll(watchers);
    }

    private static async Task<string[]> RunningReplicasAsync(UserAuditApp app, string resource, int count)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Eventually.DefaultTimeout);
        var running = new HashSet<string>();
        await foreach (var e in app.App.ResourceNotifications.WatchAsync(timeout.Token))
        {
            if (e.Resource.Name == resource && e.Snapshot.State?.Text == KnownResourceStates.Running)
            {
                running.Add(e.ResourceId);
                if (running.Count == count)
                {
                    break;
                }
            }
        }

        return [.. running];
    }

    private static async Task CollectLogsAsync(UserAuditApp app, string replica, ConcurrentQueue<string> lines, CancellationToken cancellationToken)
    {
        var loggers = app.App.Services.GetRequiredService<ResourceLoggerService>();
        try
        {
            await foreach (var batch in loggers.WatchAsync(replica).WithCancellation(cancellationToken))
            {
                foreach (var line in batch)
                {
                    lines.Enqueue(line.Content);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
