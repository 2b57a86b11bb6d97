using System.Data.Common;
using AuditService.Store;
using UserAudit.ServiceDefaults.Storage;

namespace AuditService.Integrity;

/// <summary>
/// Walks a stretch of the chain in position order, recomputing every row's hashes from its columns
/// and the link before it, and stops at the first break. Shared by verification (the whole chain or
/// a range) and by retention (the stretch it is about to delete).
/// </summary>
internal static class ChainSegment
{
    private const int Page = 1_000;

    /// <summary>What a walk found.</summary>
    /// <param name="Break">The first break, or null.</param>
    /// <param name="Position">The last position walked without a break.</param>
    /// <param name="Hash">Its stored link.</param>
    /// <param name="Rows">Rows checked.</param>
    /// <param name="Checkpoints">Checkpoints compared with their row.</param>
    public sealed record Walk(ChainBreak? Break, long Position, byte[] Hash, long Rows, int Checkpoints);

    private sealed record LinkedRow(long Seq, byte[]? Content, byte[]? Link, AuditRow Row);

    /// <summary>
    /// The first row at or below <paramref name="anchor"/>, the latest retention cut: one inserted
    /// there after the cut, since retention deleted everything up to it.
    /// </summary>
    public static async Task<ChainBreak?> InsertedBelowCutAsync(DbConnection connection, DbTransaction transaction, long anchor, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT min(seq) FROM audit_events WHERE seq <= @anchor";
        command.AddParameter("@anchor", anchor);
        return await command.ExecuteScalarAsync(cancellationToken) is long below
            ? new ChainBreak(below, ChainBreakKind.Inserted, $"A row at position {below} sits below the retention cut at {anchor}: it was inserted.")
            : null;
    }

    /// <summary>
    /// Checks the rows after <paramref name="position"/> (whose link is <paramref name="hash"/>) up to
    /// <paramref name="to"/>, and the checkpoints among them.
    /// </summary>
    public static async Task<Walk> WalkAsync(DbConnection connection, DbTransaction? transaction, long position, byte[] hash, long to,
        ILookup<long, Checkpoint> checkpoints, CancellationToken cancellationToken)
    {
        var (rows, checkedCheckpoints) = (0L, 0);
        await using var next = Rows(connection, transaction, position, to, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var current = await next.MoveNextAsync() ? next.Current : null;
        while (current is not null)
        {
            var following = await next.MoveNextAsync() ? next.Current : null;
            if (Check(current, following, position, hash) is { } broken)
            {
                return new Walk(broken, position, hash, rows, checkedCheckpoints);
            }

            (position, hash, rows) = (current.Seq, current.Link!, rows + 1);
            foreach (var checkpoint in checkpoints[position])
            {
                checkedCheckpoints++;
                if (!checkpoint.Hash.AsSpan().SequenceEqual(hash))
                {
                    return new Walk(new ChainBreak(position, ChainBreakKind.CheckpointMismatch,
                        $"Checkpoint {checkpoint.Number} signed another link for position {position} than the chain has now: rows up to it were rewritten."),
                        position, hash, rows, checkedCheckpoints);
                }
            }

            current = following;
        }

        return new Walk(null, position, hash, rows, checkedCheckpoints);
    }

    private static ChainBreak? Check(LinkedRow row, LinkedRow? following, long position, byte[] hash)
    {
        if (row.Seq != position + 1)
        {
            return new ChainBreak(position + 1, ChainBreakKind.Missing, $"No row at position {position + 1}: it was deleted.");
        }

        if (row.Content is null || row.Link is null)
        {
            return new ChainBreak(row.Seq, ChainBreakKind.Unlinked, $"The row at position {row.Seq} has no hashes: it was not written by AuditService.");
        }

        var content = AuditHashing.Content(row.Row);
        var contentHolds = content.AsSpan().SequenceEqual(row.Content);
        if (contentHolds && AuditHashing.Link(hash, row.Seq, content, row.Row).AsSpan().SequenceEqual(row.Link))
        {
            return row.Row.ActorColumnsHold
                ? null
                : new ChainBreak(row.Seq, ChainBreakKind.Changed, $"The actor columns at position {row.Seq} no longer copy the event's auth context: they were changed.");
        }

        // The row after it links straight to the row before it: this one was slipped in between.
        if (following is { Content: not null, Link: not null } && following.Seq == row.Seq + 1
            && AuditHashing.Link(hash, following.Seq, AuditHashing.Content(following.Row), following.Row).AsSpan().SequenceEqual(following.Link))
        {
            return new ChainBreak(row.Seq, ChainBreakKind.Inserted, $"The row at position {row.Seq} was inserted: the next row links to the one before it.");
        }

        return new ChainBreak(row.Seq, ChainBreakKind.Changed, contentHolds
            ? $"The row at position {row.Seq} does not link to the row before it: it, or a row before it, was changed, or rows were rewritten."
            : $"The event at position {row.Seq} no longer matches its content hash: it was changed.");
    }

    private static async IAsyncEnumerable<LinkedRow> Rows(DbConnection connection, DbTransaction? transaction, long after, long to,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT seq, content_hash, chain_hash, {AuditRow.Columns} FROM audit_events WHERE seq > @after AND seq <= @to ORDER BY seq LIMIT {Page}";
        var afterParameter = command.AddParameter("@after", after);
        command.AddParameter("@to", to);
        while (true)
        {
            var page = new List<LinkedRow>(Page);
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    page.Add(new LinkedRow(reader.GetInt64(0), reader.IsDBNull(1) ? null : (byte[])reader.GetValue(1),
                        reader.IsDBNull(2) ? null : (byte[])reader.GetValue(2), AuditRow.Read(reader, 3)));
                }
            }

            foreach (var row in page)
            {
                yield return row;
            }

            if (page.Count < Page)
            {
                yield break;
            }

            afterParameter.Value = page[^1].Seq;
        }
    }
}
