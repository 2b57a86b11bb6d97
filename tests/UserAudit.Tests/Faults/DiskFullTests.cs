using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AuditService.Ingestion;
using UserAudit.LoadTest.Load;
using UserAudit.Tests.EndToEnd;
using UserAudit.Tests.Infrastructure;
using Xunit;

namespace UserAudit.Tests.Faults;

/// <summary>
/// A service's disk runs full under load (its data directory is a small tmpfs, filled to the last
/// byte by the test) and is freed again. UserService refuses writes with 503 and Retry-After and keeps
/// nothing of them; AuditService stores nothing and commits no offset while it cannot store, and
/// catches up afterwards. An application of its own: the WALs must be young (a WAL that has reached
/// the checkpoint size is reused from its start without asking the filesystem for space, so a full
/// disk would go unnoticed for tens of megabytes). Needs root for the mounts (CI runs as root).
/// Runs beside other classes: it asserts what was refused, kept and caught up, each waited for as a
/// condition, not how much work a set rate got done.
/// </summary>
public sealed class DiskFullTests(DiskFullApp fixture) : IClassFixture<DiskFullApp>
{
    private const string EventSource = "urn:useraudit:user-service";
    private const int Partitions = 3;

    private UserAuditApp App => fixture.App;

    private static bool Long => FaultScenarios.Long;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task User_service_on_a_full_disk_answers_503_with_retry_after_keeps_nothing_and_writes_again_once_space_is_freed()
    {
        var disk = Disk(fixture.UserServiceDisk);
        var probe = await App.CreateUserAsync("disk probe", "disk-probe-password", Ct);
        var (rate, seconds) = (Long ? 500 : 100, Long ? 60 : 12);
        var (runner, running) = await AppLoad.StartAsync(App, rate, seconds, Ct);

        long filled, freedAt;
        HttpStatusCode readWhileFull;
        long refusedWhileFull;
        try
        {
            filled = disk.Fill();
            // The next commit needs a page the filesystem no longer has (the WAL grows on every commit
            // until a checkpoint, and a checkpoint would have to grow the database file).
            using var refusal = await Eventually.GetAsync(async ct =>
            {
                var response = await RenameAsync(probe, ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    response.Dispose();
                    return null;
                }

                return response;
            }, "a write refused on the full disk", cancellationToken: Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refusal.StatusCode);
            Assert.Equal("application/problem+json", refusal.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(30), refusal.Headers.RetryAfter?.Delta);
            var problem = await refusal.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal(503, problem.GetProperty("status").GetInt32());
            Assert.Equal("Storage full", problem.GetProperty("title").GetString());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));

            // Reads need no space: they go on while writes are refused.
            using (var read = await App.Users.GetAsync("/v1/users/" + probe, Ct))
            {
                readWhileFull = read.StatusCode;
            }

            // The load meets the full disk too, before space comes back. Its client counts a 503 as
            // uncertain (a 503 does not say the change was not applied), a create's as refused.
            long Unanswered() => runner.Ledger.Refused + runner.Ledger.Uncertain;
            var refusedBefore = Unanswered();
            await Eventually.TrueAsync(_ => Task.FromResult(Unanswered() >= refusedBefore + 20), "the load's writes refused while the disk is full", cancellationToken: Ct);
            refusedWhileFull = Unanswered() - refusedBefore;
        }
        finally
        {
            disk.Free();
            freedAt = Stopwatch.GetTimestamp();
        }

        await Eventually.TrueAsync(async ct =>
        {
            using var response = await RenameAsync(probe, ct);
            return response.IsSuccessStatusCode;
        }, "a write taken again once space was freed", cancellationToken: Ct);
        var result = await running;
        var afterFree = runner.Ledger.AcknowledgedBetween(freedAt, long.MaxValue).Count;
        Report($"UserService disk full: filled {filled / 1024} KiB, {refusedWhileFull} writes refused with 503, "
            + $"{afterFree} acknowledged after space was freed, {result.Audit}");

        Assert.Equal(HttpStatusCode.OK, readWhileFull);
        // Every failure was the 503 of the full disk: no 500, no dropped connection, no crash.
        Assert.Equal("503", Assert.Single(result.Errors.Keys));
        Assert.True(afterFree > 0, "no change was acknowledged after space was freed");
        // Nothing of a refused write was kept: an applied one would be an uncertain change's event, or a version gap.
        AppLoad.AssertAuditedOnceInOrder(result.Audit!, result.SettleSeconds);
        Assert.Equal(0, result.Audit!.UncertainApplied);
    }

    [Fact]
    public async Task Audit_service_on_a_full_disk_stores_and_commits_nothing_and_catches_up_once_space_is_freed()
    {
        var disk = Disk(fixture.AuditServiceDisk);
        var from = DateTimeOffset.UtcNow.AddSeconds(-5);
        var groupId = new IngestionOptions().GroupId;
        var (rate, seconds) = (Long ? 500 : 100, Long ? 20 : 4);
        var runner = new LoadRunner(AppLoad.Options(App, rate, seconds) with { AuditService = null });
        var logMark = App.Logs.Count;

        LoadResult result;
        long[] storedAtFirst, storedLater, committedAtFirst, committedLater, ends;
        long rowsAtFirst, rowsLater, attempts;
        HttpStatusCode readWhileFull;
        try
        {
            disk.Fill();
            // Changes go on while AuditService cannot store them: they wait on the topic.
            result = await runner.RunAsync(cancellationToken: Ct);
            var first = await Eventually.GetAsync(
                _ => Task.FromResult<object?>(FaultEvidence.StoreRetries(App.Logs, logMark) is > 0 and var n ? n : null),
                "AuditService failing to store on the full disk", cancellationToken: Ct);
            (storedAtFirst, rowsAtFirst) = (await FaultEvidence.StoredOffsetsAsync(App, Partitions, Ct), await FaultEvidence.StoredEventsAsync(App, Ct));
            committedAtFirst = FaultEvidence.CommittedOffsets(App.KafkaBootstrapServers, groupId, Partitions);

            // An attempt later, nothing moved: no row stored, no offset committed.
            await Eventually.TrueAsync(_ => Task.FromResult(FaultEvidence.StoreRetries(App.Logs, logMark) > (long)first),
                "another attempt to store while the disk is full", cancellationToken: Ct);
            (storedLater, rowsLater) = (await FaultEvidence.StoredOffsetsAsync(App, Partitions, Ct), await FaultEvidence.StoredEventsAsync(App, Ct));
            committedLater = FaultEvidence.CommittedOffsets(App.KafkaBootstrapServers, groupId, Partitions);
            attempts = FaultEvidence.StoreRetries(App.Logs, logMark);
            ends = FaultEvidence.EndOffsets(App.KafkaBootstrapServers, Partitions);
            using var read = await App.Audit.GetAsync("/v1/audit-events?limit=1", Ct);
            readWhileFull = read.StatusCode;
        }
        finally
        {
            disk.Free();
        }

        var verdict = await Eventually.GetAsync(async ct =>
        {
            var v = runner.Ledger.Compare(await AuditStoreCheck.ReadAsync(App.Audit, EventSource, from, ct));
            return v.Lost == 0 ? v : null;
        }, "every acknowledged change audited once space was freed", TimeSpan.FromMinutes(2), Ct);
        await Eventually.TrueAsync(
            _ => Task.FromResult(FaultEvidence.CommittedOffsets(App.KafkaBootstrapServers, groupId, Partitions).SequenceEqual(FaultEvidence.EndOffsets(App.KafkaBootstrapServers, Partitions))),
            "AuditService's committed offsets caught up with the topic's end", cancellationToken: Ct);
        Report($"AuditService disk full: {result.Total.Succeeded} changes acknowledged meanwhile, {attempts} failed attempts to store, "
            + $"{ends.Zip(committedLater, (end, committed) => end - committed).Sum()} events waiting on the topic, {rowsLater} rows throughout; after freeing: {verdict}");

        // The fault bit: the changes were acknowledged by UserService and waited on the topic.
        Assert.Equal(0, result.Total.Failed);
        Assert.True(ends.Zip(committedLater, (end, committed) => end - committed).Sum() >= result.Total.Succeeded,
            "the topic should hold every change made while AuditService could not store");
        // While full: not one row stored, not one offset committed, and none committed ahead of what is stored.
        Assert.Equal(rowsAtFirst, rowsLater);
        Assert.Equal(storedAtFirst, storedLater);
        Assert.Equal(committedAtFirst, committedLater);
        Assert.All(Enumerable.Range(0, Partitions), p => Assert.True(committedLater[p] <= storedLater[p] + 1, $"partition {p}: offset committed beyond what is stored"));
        Assert.Equal(HttpStatusCode.OK, readWhileFull);
        AppLoad.AssertAuditedOnceInOrder(verdict, settleSeconds: 0);
    }

    private SmallDisk Disk(SmallDisk? disk)
    {
        Assert.SkipWhen(disk is null, "No small disk to fill: " + fixture.WhyNoDisks);
        return disk!;
    }

    private Task<HttpResponseMessage> RenameAsync(string id, CancellationToken cancellationToken) =>
        App.Users.PatchAsJsonAsync("/v1/users/" + id, new { name = "disk probe " + Guid.NewGuid().ToString("N")[..8] }, cancellationToken);

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);
}
