using AuditService.Integrity;
using AuditService.Retention;
using AuditService.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using UserAudit.Tests.Integrity;
using Xunit;

namespace UserAudit.Tests.AuditApi;

/// <summary>Retention against a real, temporary SQLite store: expired events go, the chain stays verifiable.</summary>
public sealed class RetentionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Events_received_before_the_retention_period_are_deleted_and_newer_ones_kept()
    {
        await using var temporary = await TemporaryAuditStore.CreateAsync(Ct);
        var now = temporary.Time.GetUtcNow();
        // More expired rows than one delete batch, to cover the batching.
        var expired = Enumerable.Range(0, RetentionCut.BatchSize + 1).Select(_ => temporary.Record(receivedAt: now - TimeSpan.FromDays(31))).ToList();
        var kept = new[] { temporary.Record(receivedAt: now - TimeSpan.FromDays(29)), temporary.Record(receivedAt: now) };
        await temporary.Store.InsertAsync([.. expired, .. kept], Ct);
        var retention = new RetentionService(temporary.Retention, Options.Create(new RetentionOptions { Period = TimeSpan.FromDays(30) }),
            temporary.Time, NullLogger<RetentionService>.Instance);

        var deleted = await retention.PurgeAsync(Ct);
        var again = await retention.PurgeAsync(Ct);

        Assert.Equal(RetentionCut.BatchSize + 1, deleted);
        Assert.Equal(0, again);
        var left = (await temporary.Store.QueryAsync(new AuditQuery(Limit: 10), Ct)).Items;
        Assert.Equal(kept.Select(r => r.Id).Reverse(), left.Select(e => e.Record.Id));
    }

    [Fact]
    public async Task After_retention_the_chain_verifies_from_a_signed_cut_at_the_first_kept_row()
    {
        await using var temporary = await TemporaryAuditStore.CreateAsync(Ct);
        var now = temporary.Time.GetUtcNow();
        await temporary.Store.InsertAsync([.. Enumerable.Range(0, 10).Select(_ => temporary.Record(receivedAt: now - TimeSpan.FromDays(40)))], Ct);
        await temporary.Store.InsertAsync([.. Enumerable.Range(0, 5).Select(_ => temporary.Record(receivedAt: now))], Ct);

        var outcome = await temporary.Retention.DeleteReceivedBeforeAsync(now - TimeSpan.FromDays(30), Ct);
        var verification = await temporary.Verifier.VerifyAsync(null, null, Ct);
        var cut = Assert.Single(await temporary.Checkpoints.ListAsync(0, 10, Ct));

        Assert.Equal(10, outcome.Deleted);
        Assert.True(verification.Intact, verification.FirstBreak?.Detail);
        Assert.Equal(10, verification.AnchorPosition);
        Assert.Equal(5, verification.RowsChecked);
        Assert.Equal((Checkpoint.CutKind, 10L), (cut.Kind, cut.Position));
        Assert.True(temporary.Signer.Verify(cut.Statement, cut.Signature));
    }

    [Fact]
    public async Task Retention_keeps_a_stretch_that_does_not_verify_and_says_where_it_breaks()
    {
        await using var temporary = await TemporaryAuditStore.CreateAsync(Ct);
        var now = temporary.Time.GetUtcNow();
        await temporary.Store.InsertAsync([.. Enumerable.Range(0, 10).Select(_ => temporary.Record(receivedAt: now - TimeSpan.FromDays(40)))], Ct);
        await temporary.TamperAsync("UPDATE audit_events SET subject = 'someone-else' WHERE seq = 4");

        var outcome = await temporary.Retention.DeleteReceivedBeforeAsync(now - TimeSpan.FromDays(30), Ct);

        Assert.Equal(0, outcome.Deleted);
        Assert.Equal((4L, ChainBreakKind.Changed), (outcome.Refused!.Position, outcome.Refused.Kind));
        Assert.Equal(10, (await temporary.Store.QueryAsync(new AuditQuery(Limit: 50), Ct)).Items.Count);
    }

    // Verify reports a row below the last cut as inserted; the next purge must not delete it with
    // the expired stretch above the cut and leave a chain that verifies.
    [Fact]
    public async Task Retention_keeps_a_row_inserted_below_its_last_cut_and_says_where_it_is()
    {
        await using var temporary = await TemporaryAuditStore.CreateAsync(Ct);
        var now = temporary.Time.GetUtcNow();
        await temporary.Store.InsertAsync([.. Enumerable.Range(0, 10).Select(_ => temporary.Record(receivedAt: now - TimeSpan.FromDays(40)))], Ct);
        Assert.Equal(10, (await temporary.Retention.DeleteReceivedBeforeAsync(now - TimeSpan.FromDays(30), Ct)).Deleted);
        await temporary.Store.InsertAsync([.. Enumerable.Range(0, 10).Select(_ => temporary.Record(receivedAt: now - TimeSpan.FromDays(40)))], Ct);
        await temporary.TamperAsync(HashChainTests.InsertForgedRow(5));

        var outcome = await temporary.Retention.DeleteReceivedBeforeAsync(now - TimeSpan.FromDays(30), Ct);
        var verification = await temporary.Verifier.VerifyAsync(null, null, Ct);

        Assert.Equal(0, outcome.Deleted);
        Assert.Equal((5L, ChainBreakKind.Inserted), (outcome.Refused!.Position, outcome.Refused.Kind));
        Assert.Equal((5L, ChainBreakKind.Inserted), (verification.FirstBreak!.Position, verification.FirstBreak.Kind));
        Assert.Equal(11, (await temporary.Store.QueryAsync(new AuditQuery(Limit: 50), Ct)).Items.Count);
    }
}
