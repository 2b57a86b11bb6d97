using System.Data.Common;
using AuditService.Integrity;
using AuditService.Store;
using UserAudit.ServiceDefaults.Storage;

namespace AuditService.Retention;

/// <summary>
/// Deletes expired events without breaking the chain: only from its start (the oldest stretch of
/// rows all received before the cut-off), in batches, each in one transaction with a signed
/// <c>cut</c> checkpoint at its last position, from which verification then starts. A stretch that no
/// longer verifies is not deleted: it is the evidence of tampering, and stays for the operator.
/// </summary>
public sealed class RetentionCut(ServiceDatabase database, CheckpointStore checkpoints, ChainVerifier verifier)
{
    /// <summary>Rows deleted per transaction: keeps the write lock short for ingestion.</summary>
    public const int BatchSize = 5_000;

    /// <summary>What a purge did.</summary>
    /// <param name="Deleted">Rows deleted.</param>
    /// <param name="Refused">The break that stopped it, when the stretch to delete did not verify.</param>
    public sealed record Outcome(int Deleted, ChainBreak? Refused);

    /// <summary>Deletes the rows received before <paramref name="cutoff"/> from the start of the chain; conflicts last seen before it too.</summary>
    public async Task<Outcome> DeleteReceivedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var head = await AuditChainTable.ReadForWriteAsync(connection, transaction, cancellationToken);
            var all = await CheckpointStore.AllAsync(connection, transaction, cancellationToken);
            var cut = all.Where(c => c.Kind == Checkpoint.CutKind && verifier.IsGenuine(c, head.StoreId)).MaxBy(c => c.Position);
            var (anchor, anchorHash) = cut is null ? (0L, AuditHashing.Genesis(head.StoreId)) : (cut.Position, cut.Hash);

            // The first row still to keep ends the expired stretch.
            var kept = await ScalarAsync(connection, transaction, "SELECT min(seq) FROM audit_events WHERE received_unix_ms >= @cutoff AND seq > @anchor",
                cutoff.ToUnixTimeMilliseconds(), anchor, cancellationToken);
            var last = Math.Min((kept ?? head.Position + 1) - 1, anchor + BatchSize);
            if (last <= anchor)
            {
                await DeleteConflictsAsync(connection, transaction, cutoff, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return new Outcome(total, null);
            }

            // A row at or below the last cut was inserted after it: evidence, which a delete up to
            // the new cut would remove with the expired stretch.
            if (await ChainSegment.InsertedBelowCutAsync(connection, transaction, anchor, cancellationToken) is { } inserted)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new Outcome(total, inserted);
            }

            var walk = await ChainSegment.WalkAsync(connection, transaction, anchor, anchorHash, last, all.ToLookup(c => c.Position), cancellationToken);
            if (walk.Break is not null || walk.Position != last)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new Outcome(total, walk.Break ?? new ChainBreak(walk.Position + 1, ChainBreakKind.Missing, "The stretch to delete is incomplete."));
            }

            await using (var delete = connection.CreateCommand())
            {
                delete.Transaction = transaction;
                delete.CommandText = "DELETE FROM audit_events WHERE seq > @anchor AND seq <= @last";
                delete.AddParameter("@anchor", anchor);
                delete.AddParameter("@last", last);
                total += await delete.ExecuteNonQueryAsync(cancellationToken);
            }

            await checkpoints.WriteAsync(connection, transaction, head.StoreId, Checkpoint.CutKind, last, walk.Hash, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    private static async Task DeleteConflictsAsync(DbConnection connection, DbTransaction transaction, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM audit_conflicts WHERE last_seen_unix_ms < @cutoff";
        command.AddParameter("@cutoff", cutoff.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long?> ScalarAsync(DbConnection connection, DbTransaction transaction, string sql, long cutoff, long anchor,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.AddParameter("@cutoff", cutoff);
        command.AddParameter("@anchor", anchor);
        return await command.ExecuteScalarAsync(cancellationToken) is long value ? value : null;
    }
}
