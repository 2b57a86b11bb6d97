using System.Data;
using System.Data.Common;
using AuditService.Integrity;
using UserAudit.ServiceDefaults.Storage;

namespace AuditService.Store;

/// <summary>
/// The chain's head row (<c>audit_chain</c>, one row) and the chain's creation. Every writer reads
/// the head inside its write transaction and writes it back before committing, so replicas sharing
/// one database extend one chain in commit order: SQLite's write lock serializes them, and a
/// PostgreSQL store does the same with <c>SELECT ... FOR UPDATE</c> on this row.
/// </summary>
internal static class AuditChainTable
{
    private const int AdoptionPage = 1_000;

    /// <summary>
    /// The head, for a writer (inside its write transaction). A store without a chain gets one here:
    /// a new store id, and every row already stored (written before the chain existed) renumbered
    /// from 1 without gaps and linked in its order. That happens once; a row without links found
    /// later was not written by AuditService, and verification reports it.
    /// </summary>
    public static async Task<ChainHead> ReadForWriteAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var (storeId, position, hash) = await ReadRowAsync(connection, transaction, SqlDialect.ForUpdate(connection), cancellationToken);
        if (storeId is not null)
        {
            // A row written beyond the head (by hand) is stepped over: ingestion goes on, verification reports it.
            var last = await ScalarAsync(connection, transaction, "SELECT coalesce(max(seq), 0) FROM audit_events", cancellationToken);
            return new ChainHead(storeId, Math.Max(position, last), hash!);
        }

        var head = await AdoptAsync(connection, transaction, Guid.NewGuid().ToString(), cancellationToken);
        await UpdateAsync(connection, transaction, head, cancellationToken);
        return head;
    }

    /// <summary>The head as stored, for a reader; null while the store has no chain yet.</summary>
    public static async Task<ChainHead?> ReadAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var (storeId, position, hash) = await ReadRowAsync(connection, transaction, "", cancellationToken);
        return storeId is null ? null : new ChainHead(storeId, position, hash!);
    }

    /// <summary>Writes the head back (inside the same transaction that read it).</summary>
    public static async Task UpdateAsync(DbConnection connection, DbTransaction transaction, ChainHead head, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE audit_chain SET store_id = @store, position = @position, hash = @hash WHERE id = 1";
        command.AddParameter("@store", head.StoreId);
        command.AddParameter("@position", head.Position);
        command.AddParameter("@hash", head.Hash);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<(string? StoreId, long Position, byte[]? Hash)> ReadRowAsync(
        DbConnection connection, DbTransaction? transaction, string forUpdate, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT store_id, position, hash FROM audit_chain WHERE id = 1" + forUpdate;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException("The audit store has no chain head row: its migrations did not run.");
        }

        return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : (byte[])reader.GetValue(2));
    }

    private static async Task<ChainHead> AdoptAsync(DbConnection connection, DbTransaction transaction, string storeId, CancellationToken cancellationToken)
    {
        // Renumber first (ascending, so each row moves down into a free slot), then link page by page.
        var positions = new List<long>();
        await using (var list = connection.CreateCommand())
        {
            list.Transaction = transaction;
            list.CommandText = "SELECT seq FROM audit_events ORDER BY seq";
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                positions.Add(reader.GetInt64(0));
            }
        }

        await using (var move = connection.CreateCommand())
        {
            move.Transaction = transaction;
            move.CommandText = "UPDATE audit_events SET seq = @new WHERE seq = @old";
            var (newSeq, oldSeq) = (move.AddParameter("@new", DbType.Int64), move.AddParameter("@old", DbType.Int64));
            for (var i = 0; i < positions.Count; i++)
            {
                if (positions[i] != i + 1)
                {
                    (newSeq.Value, oldSeq.Value) = (i + 1, positions[i]);
                    await move.ExecuteNonQueryAsync(cancellationToken);
                }
            }
        }

        var head = new ChainHead(storeId, 0, AuditHashing.Genesis(storeId));
        await using var page = connection.CreateCommand();
        page.Transaction = transaction;
        page.CommandText = $"SELECT seq, {AuditRow.Columns} FROM audit_events WHERE seq > @after ORDER BY seq LIMIT {AdoptionPage}";
        var after = page.AddParameter("@after", DbType.Int64);
        await using var link = connection.CreateCommand();
        link.Transaction = transaction;
        link.CommandText = "UPDATE audit_events SET content_hash = @content, chain_hash = @link WHERE seq = @seq";
        var (content, chain, seq) = (link.AddParameter("@content", DbType.Binary), link.AddParameter("@link", DbType.Binary), link.AddParameter("@seq", DbType.Int64));
        while (head.Position < positions.Count)
        {
            after.Value = head.Position;
            var rows = new List<(long Seq, AuditRow Row)>(AdoptionPage);
            await using (var reader = await page.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add((reader.GetInt64(0), AuditRow.Read(reader, 1)));
                }
            }

            foreach (var (position, row) in rows)
            {
                var contentHash = AuditHashing.Content(row);
                head = head with { Position = position, Hash = AuditHashing.Link(head.Hash, position, contentHash, row) };
                (content.Value, chain.Value, seq.Value) = (contentHash, head.Hash, position);
                await link.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        return head;
    }

    private static async Task<long> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}
