using System.Data.Common;
using System.Globalization;
using AuditService.Store;
using UserAudit.ServiceDefaults.Storage;

namespace AuditService.Integrity;

/// <summary>The signed checkpoints (<c>audit_checkpoints</c>): written with the head they sign, read by the API and by verification.</summary>
public sealed class CheckpointStore(ServiceDatabase database, CheckpointSigner signer, TimeProvider time)
{
    private const string Columns = "number, kind, position, hash, created_at, statement, key_id, signature";

    /// <summary>
    /// Signs the chain's head when it moved since the last checkpoint, inside a write transaction so
    /// that replicas sharing the store sign each position once; returns the new checkpoint, or null.
    /// </summary>
    public async Task<Checkpoint?> CheckpointIfMovedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var head = await AuditChainTable.ReadForWriteAsync(connection, transaction, cancellationToken);
        await using var latest = connection.CreateCommand();
        latest.Transaction = transaction;
        latest.CommandText = "SELECT coalesce(max(position), 0) FROM audit_checkpoints";
        var signed = Convert.ToInt64(await latest.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        var stored = await AuditChainTable.ReadAsync(connection, transaction, cancellationToken);
        if (stored is null || stored.Position <= signed)
        {
            await transaction.CommitAsync(cancellationToken);
            return null;
        }

        // The stored head, not the writer's view: a row written by hand beyond it is not signed.
        var checkpoint = await WriteAsync(connection, transaction, head.StoreId, Checkpoint.IntervalKind, stored.Position, stored.Hash, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return checkpoint;
    }

    /// <summary>Signs and stores a checkpoint inside the caller's write transaction.</summary>
    internal async Task<Checkpoint> WriteAsync(DbConnection connection, DbTransaction transaction, string storeId, string kind, long position, byte[] hash,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var statement = CheckpointStatement.Build(storeId, kind, position, hash, now, signer.KeyId);
        var signature = signer.Sign(statement);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO audit_checkpoints (kind, position, hash, created_at, statement, key_id, signature)
            VALUES (@kind, @position, @hash, @created, @statement, @key, @signature)
            RETURNING number
            """;
        command.AddParameter("@kind", kind);
        command.AddParameter("@position", position);
        command.AddParameter("@hash", hash);
        command.AddParameter("@created", now.ToString("O", CultureInfo.InvariantCulture));
        command.AddParameter("@statement", statement);
        command.AddParameter("@key", signer.KeyId);
        command.AddParameter("@signature", signature);
        var number = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        return new Checkpoint(number, kind, position, hash, now, statement, signer.KeyId, signature);
    }

    /// <summary>Checkpoints in the order they were written, after number <paramref name="after"/>.</summary>
    public async Task<IReadOnlyList<Checkpoint>> ListAsync(long after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await ReadAsync(connection, null, $"SELECT {Columns} FROM audit_checkpoints WHERE number > @a ORDER BY number LIMIT @b", cancellationToken, after, limit);
    }

    /// <summary>One checkpoint by number, or null.</summary>
    public async Task<Checkpoint?> GetAsync(long number, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return (await ReadAsync(connection, null, $"SELECT {Columns} FROM audit_checkpoints WHERE number = @a", cancellationToken, number)).SingleOrDefault();
    }

    /// <summary>Every checkpoint, by position, for verification.</summary>
    internal static Task<IReadOnlyList<Checkpoint>> AllAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken) =>
        ReadAsync(connection, transaction, $"SELECT {Columns} FROM audit_checkpoints ORDER BY position, number", cancellationToken);

    /// <summary>Reads checkpoints; <paramref name="values"/> are bound to <c>@a</c>, <c>@b</c> in order.</summary>
    private static async Task<IReadOnlyList<Checkpoint>> ReadAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken,
        params long[] values)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        for (var i = 0; i < values.Length; i++)
        {
            command.AddParameter("@" + (char)('a' + i), values[i]);
        }

        var checkpoints = new List<Checkpoint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            checkpoints.Add(new Checkpoint(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), (byte[])reader.GetValue(3),
                DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture), reader.GetString(5), reader.GetString(6), (byte[])reader.GetValue(7)));
        }

        return checkpoints;
    }
}
