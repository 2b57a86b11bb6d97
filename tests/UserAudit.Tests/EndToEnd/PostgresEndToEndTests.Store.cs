using AuditService.Integrity;
using AuditService.Store;
using Microsoft.Extensions.Options;
using Npgsql;
using UserAudit.ServiceDefaults.Storage;
using UserAudit.Tests.Integrity;
using Xunit;

namespace UserAudit.Tests.EndToEnd;

public sealed partial class PostgresEndToEndTests
{
    /// <summary>
    /// The audit store writes a batch on PostgreSQL with one binary COPY after one lookup of the
    /// identities already stored, and on SQLite row by row: the same batches must have the same
    /// outcomes on both, repeats inside a batch included, and leave an intact chain.
    /// </summary>
    [Fact]
    public async Task A_batch_with_repeats_and_conflicts_has_the_same_outcomes_and_an_intact_chain_on_both_providers()
    {
        await using var sqlite = await TemporaryAuditStore.CreateAsync(Ct);
        var connectionString = new NpgsqlConnectionStringBuilder(await postgres.ConnectionStringAsync($"audit_batch_{Guid.NewGuid():N}", Ct)) { Pooling = true }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var database = new PostgresDatabase(dataSource, connectionString);
        await database.MigrateAsync(AuditEventStore.Schema, Ct);
        var onPostgres = new AuditEventStore(database);

        var (a, b, c, d) = (sqlite.Record(), sqlite.Record(), sqlite.Record(), sqlite.Record());
        var otherB = b with { DataJson = """{"n":2}""" };
        var otherA = a with { DataJson = """{"n":3}""" };
        IReadOnlyList<AuditRecord>[] batches = [[a, b, a, c, otherB], [c, d, otherA, d], [otherB]];
        AuditWriteOutcome[][] expected =
        [
            [AuditWriteOutcome.Stored, AuditWriteOutcome.Stored, AuditWriteOutcome.Duplicate, AuditWriteOutcome.Stored, AuditWriteOutcome.Conflict],
            [AuditWriteOutcome.Duplicate, AuditWriteOutcome.Stored, AuditWriteOutcome.Conflict, AuditWriteOutcome.Duplicate],
            [AuditWriteOutcome.Conflict],
        ];

        foreach (var store in (AuditEventStore[])[sqlite.Store, onPostgres])
        {
            for (var i = 0; i < batches.Length; i++)
            {
                Assert.Equal(expected[i], (await store.InsertAsync(batches[i], Ct)).Outcomes);
            }

            var stored = await store.QueryAsync(new AuditQuery(Limit: 10), Ct);
            Assert.Equal([d.Id, c.Id, b.Id, a.Id], stored.Select(e => e.Record.Id));
            Assert.Equal([4L, 3L, 2L, 1L], stored.Select(e => e.Sequence));
            Assert.Equal("""{"n":1}""", stored.Single(e => e.Record.Id == b.Id).Record.DataJson);
            var conflicts = await store.ListConflictsAsync(null, null, 10, Ct);
            Assert.Equal(new[] { (a.Id, 1L), (b.Id, 2L) }.Order(), conflicts.Select(x => (x.Id, x.Copies)).Order());
        }

        var verification = await new ChainVerifier(database, new CheckpointSigner(Options.Create(new IntegrityOptions { CheckpointKey = "a-checkpoint-secret-of-32-characters-at-least" })))
            .VerifyAsync(null, null, Ct);
        Assert.True(verification.Intact, verification.FirstBreak?.Detail);
        Assert.Equal((4L, 4L), (verification.RowsChecked, verification.HeadPosition));
    }
}
