using System.Data.Common;
using AuditService.Store;
using UserAudit.ServiceDefaults.Storage;

namespace AuditService.Integrity;

/// <summary>
/// Recomputes the chain, or a range of it, from the rows' columns and reports the first break: a
/// changed, deleted or inserted row, a head that does not match the last row, a checkpoint whose
/// signature or link does not hold. It reads one snapshot (a read transaction), so that writers and
/// retention working meanwhile are not mistaken for tampering.
/// </summary>
public sealed class ChainVerifier(ServiceDatabase database, CheckpointSigner signer)
{
    /// <summary>Verifies positions <paramref name="from"/> to <paramref name="to"/> (by default, the whole chain after the last retention cut).</summary>
    /// <param name="from">First position; a range that starts later trusts the stored link of the position before it.</param>
    /// <param name="to">Last position.</param>
    /// <param name="cancellationToken">Stops the walk.</param>
    public async Task<ChainVerification> VerifyAsync(long? from, long? to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var snapshot = await database.BeginSnapshotAsync(connection, cancellationToken);
        var (head, lastRow) = await HeadAsync(connection, snapshot, cancellationToken);
        if (head is null)
        {
            // No chain yet: nothing was written since the migration that created it; every row is unlinked.
            var firstRow = await ScalarAsync(connection, snapshot, "SELECT min(seq) FROM audit_events", cancellationToken);
            return new ChainVerification(firstRow is null, null, 0, 0, 0, 0, 0, null, 0, null,
                firstRow is null ? null : new ChainBreak(firstRow.Value, ChainBreakKind.Unlinked, "The store has rows but no chain: they were not written by AuditService."));
        }

        var checkpoints = await CheckpointStore.AllAsync(connection, snapshot, cancellationToken);
        var breaks = new List<ChainBreak>();
        breaks.AddRange(checkpoints.Where(c => !IsGenuine(c, head.StoreId)).Take(1).Select(c => new ChainBreak(c.Position, ChainBreakKind.BadSignature,
            $"Checkpoint {c.Number} is not signed by the configured key (key {signer.KeyId}), or its columns differ from what it signed.")));
        var cut = checkpoints.Where(c => c.Kind == Checkpoint.CutKind && IsGenuine(c, head.StoreId)).MaxBy(c => c.Position);
        var (anchor, anchorHash) = cut is null ? (0L, AuditHashing.Genesis(head.StoreId)) : (cut.Position, cut.Hash);
        if (await ChainSegment.InsertedBelowCutAsync(connection, snapshot, anchor, cancellationToken) is { } inserted)
        {
            breaks.Add(inserted);
        }

        var start = Math.Max(from ?? anchor + 1, anchor + 1);
        var end = Math.Min(to ?? long.MaxValue, Math.Max(head.Position, lastRow));
        if (start > end)
        {
            // The range lies past the last row, or wholly before the retention cut: there is nothing
            // in it to check, and no link before it to look for.
            var outside = breaks.MinBy(b => b.Position);
            return new ChainVerification(outside is null, head.StoreId, start, end, 0, 0, head.Position,
                Convert.ToHexStringLower(head.Hash), anchor, null, outside);
        }

        var (position, hash) = (anchor, anchorHash);
        if (start > anchor + 1)
        {
            position = start - 1;
            hash = await LinkAtAsync(connection, snapshot, position, cancellationToken) ?? [];
            if (hash.Length == 0)
            {
                breaks.Add(new ChainBreak(position, ChainBreakKind.Missing, $"No linked row at position {position}, where the range starts."));
            }
        }

        var walk = await ChainSegment.WalkAsync(connection, snapshot, position, hash, end, checkpoints.ToLookup(c => c.Position), cancellationToken);
        if (walk.Break is not null)
        {
            breaks.Add(walk.Break);
        }
        else
        {
            breaks.AddRange(TailBreaks(walk, head, end, checkpoints));
        }

        var first = breaks.MinBy(b => b.Position);
        return new ChainVerification(first is null, head.StoreId, start, end, walk.Rows, walk.Checkpoints, head.Position,
            Convert.ToHexStringLower(head.Hash), anchor, first is null && walk.Position == end ? Convert.ToHexStringLower(walk.Hash) : null, first);
    }

    /// <summary>Whether a checkpoint's signature holds and its columns are what it signed.</summary>
    internal bool IsGenuine(Checkpoint checkpoint, string storeId) =>
        checkpoint.KeyId == signer.KeyId
        && checkpoint.Statement == CheckpointStatement.Build(storeId, checkpoint.Kind, checkpoint.Position, checkpoint.Hash, checkpoint.CreatedAt, checkpoint.KeyId)
        && signer.Verify(checkpoint.Statement, checkpoint.Signature);

    // After a walk that reached the end of the range without a break: what the head and the checkpoints say should be there.
    private static IEnumerable<ChainBreak> TailBreaks(ChainSegment.Walk walk, ChainHead head, long end, IReadOnlyList<Checkpoint> checkpoints)
    {
        foreach (var checkpoint in checkpoints.Where(c => c.Position > walk.Position && c.Position <= end).Take(1))
        {
            yield return new ChainBreak(walk.Position + 1, ChainBreakKind.Missing,
                $"Checkpoint {checkpoint.Number} signs position {checkpoint.Position}, but the chain ends at {walk.Position}: rows were deleted.");
        }

        if (end >= head.Position && walk.Position < head.Position)
        {
            yield return new ChainBreak(walk.Position + 1, ChainBreakKind.Missing, $"The head is at {head.Position}, but the rows end at {walk.Position}: rows were deleted.");
        }
        else if (walk.Position == head.Position && !walk.Hash.AsSpan().SequenceEqual(head.Hash))
        {
            yield return new ChainBreak(head.Position, ChainBreakKind.HeadMismatch, "The head row names another link than the last row has.");
        }
        else if (walk.Position > head.Position)
        {
            yield return new ChainBreak(head.Position + 1, ChainBreakKind.Inserted, $"Rows follow the head at {head.Position}: they were inserted.");
        }
    }

    private static async Task<(ChainHead? Head, long LastRow)> HeadAsync(DbConnection connection, DbTransaction snapshot, CancellationToken cancellationToken)
    {
        var head = await AuditChainTable.ReadAsync(connection, snapshot, cancellationToken);
        return (head, await ScalarAsync(connection, snapshot, "SELECT max(seq) FROM audit_events", cancellationToken) ?? 0);
    }

    private static async Task<byte[]?> LinkAtAsync(DbConnection connection, DbTransaction snapshot, long position, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = snapshot;
        command.CommandText = "SELECT chain_hash FROM audit_events WHERE seq = @seq";
        command.AddParameter("@seq", position);
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    private static async Task<long?> ScalarAsync(DbConnection connection, DbTransaction snapshot, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = snapshot;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken) is long value ? value : null;
    }
}
