using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using UserAudit.LoadTest.Load;
using UserAudit.Tests.Infrastructure;
using Xunit;

namespace UserAudit.Tests.EndToEnd;

/// <summary>
/// The scale-out test: the load generator renames users through 2 UserService replicas while 3
/// AuditService replicas store the events, all on one PostgreSQL. Mid-run the replica that relays
/// the outbox and one AuditService replica are SIGKILLed and started again; the audit check still
/// ends with every acknowledged change stored once and each user's changes in the order they were made.
/// </summary>
/// <remarks>
/// Replicas here are separate processes on one host: they share nothing but the PostgreSQL server
/// and the Kafka broker, reached over TCP, as replicas on other hosts would (the relay lease and the
/// migration lock are PostgreSQL advisory locks held by database sessions; the consumer group is
/// Kafka's). A network namespace per replica would change the addresses, not what is shared.
/// </remarks>
public sealed partial class PostgresEndToEndTests
{
    private const string RelayTaken = "This replica relays the outbox now";

    [Fact]
    public async Task Replicas_keep_every_guarantee_when_the_relaying_user_service_and_an_audit_service_are_killed_mid_run()
    {
        var users = await ResourceProcess.HealthyReplicasAsync(App, "user-service", PostgresUserAuditApp.UserServiceReplicas, Ct);
        var audits = await ResourceProcess.HealthyReplicasAsync(App, "audit-service", PostgresUserAuditApp.AuditServiceReplicas, Ct);
        var logs = users.Concat(audits).ToDictionary(r => r, _ => new ConcurrentQueue<string>());
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var watchers = logs.Select(l => CollectLogsAsync(l.Key, l.Value, stopWatching.Token)).ToArray();
        // Exactly one UserService replica relays; the other waits for the lease.
        var relay = await Eventually.GetAsync(_ => Task.FromResult(users.SingleOrDefault(u => logs[u].Any(line => line.Contains(RelayTaken, StringComparison.Ordinal)))),
            "one UserService replica to take the relay lease", cancellationToken: Ct);
        var standby = users.Single(u => u != relay);
        var killedAudit = audits[0];

        var (rate, seconds) = (100, 14);
        var runner = new LoadRunner(AppLoad.Options(App, rate, seconds));
        var running = runner.RunAsync(cancellationToken: Ct);
        await runner.WaitForMeasuredAsync(rate * 2, running, Ct);
        await Task.WhenAll(
            ResourceProcess.KillAsync(App, "user-service", Ct, relay),
            ResourceProcess.KillAsync(App, "audit-service", Ct, killedAudit));
        var acknowledgedAtKill = runner.Ledger.Acknowledged;
        await Task.WhenAll(
            ResourceProcess.StartReplicaAsync(App, "user-service", relay, Ct),
            ResourceProcess.StartReplicaAsync(App, "audit-service", killedAudit, Ct));
        var result = await running;
        await stopWatching.CancelAsync();
        await Task.WhenAll(watchers);

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"scale-out on PostgreSQL: {result.Total.Succeeded} succeeded, {result.Total.Failed} failed, {acknowledgedAtKill} acknowledged at the kill, {result.Audit}");
        // The faults bit: the standby took the relay over, and the replicas ran before and after the kills.
        Assert.Contains(logs[standby], line => line.Contains(RelayTaken, StringComparison.Ordinal));
        Assert.True(acknowledgedAtKill > 0 && result.Audit!.Acknowledged > acknowledgedAtKill, "changes were acknowledged before and after the kills");
        AppLoad.AssertAuditedOnceInOrder(result.Audit!, result.SettleSeconds);
    }

    private async Task CollectLogsAsync(string replica, ConcurrentQueue<string> lines, CancellationToken cancellationToken)
    {
        var loggers = App.App.Services.GetRequiredService<ResourceLoggerService>();
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
