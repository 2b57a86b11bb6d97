using System.Data;
using System.Diagnostics;
using AuditService.Store;
using Npgsql;
using NpgsqlTypes;
using UserAudit.ServiceDefaults.Storage;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>PostgreSQL's insert rates for the drain's rows, one per way of batching them.</summary>
/// <param name="RowByRow">One prepared INSERT per row (one round trip each).</param>
/// <param name="MultiRow">One prepared INSERT with a VALUES row per event, a batch at a time.</param>
/// <param name="Copy">Binary COPY into a temporary staging table, then one INSERT ... SELECT.</param>
public sealed record PostgresInsertRates(double RowByRow, double MultiRow, double Copy);

/// <summary>
/// The ways a batch of audit rows can go into PostgreSQL, measured on the same rows as
/// <see cref="RawInsertBaseline"/>: AuditService's schema (its migrations), transactions of its batch
/// size, <c>ON CONFLICT (source, id) DO NOTHING</c> as the store needs, values rendered before the
/// clock starts, a fresh database for each. Which one the store should use is this measurement's answer.
/// </summary>
public static class PostgresInsertBaseline
{
    private const int BatchSize = RawInsertBaseline.BatchSize;
    private const string Columns = RawInsertBaseline.Columns;

    // The type of each of Columns, for binary COPY and typed parameters.
    private static readonly NpgsqlDbType[] Types = [.. RawInsertBaseline.Types.Select(type => type switch
    {
        DbType.Int64 => NpgsqlDbType.Bigint,
        DbType.Int32 => NpgsqlDbType.Integer,
        DbType.Binary => NpgsqlDbType.Bytea,
        _ => NpgsqlDbType.Text,
    })];

    /// <summary>Rows per second for each way, on the server of <paramref name="server"/>.</summary>
    public static async Task<PostgresInsertRates> MeasureAsync(ScratchPostgres server, IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(records);
        var rows = RawInsertBaseline.Rows(records);
        return new PostgresInsertRates(
            await MeasureAsync(server, rows, RowByRowAsync, cancellationToken),
            await MeasureAsync(server, rows, MultiRowAsync, cancellationToken),
            await MeasureAsync(server, rows, CopyAsync, cancellationToken));
    }

    private static async Task<double> MeasureAsync(ScratchPostgres server, List<object[]> rows,
        Func<NpgsqlConnection, List<object[]>, CancellationToken, Task> insert, CancellationToken cancellationToken)
    {
        var schema = AuditEventStore.Schema;
        await server.DropDatabaseAsync(schema.Name, cancellationToken);
        var connectionString = server.ConnectionStringOf(schema.Name);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new PostgresDatabase(dataSource, connectionString).MigrateAsync(schema, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        await insert(connection, rows, cancellationToken);
        return rows.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task RowByRowAsync(NpgsqlConnection connection, List<object[]> rows, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"INSERT INTO audit_events ({Columns}) VALUES ({string.Join(", ", Types.Select((_, i) => "$" + (i + 1)))}) ON CONFLICT (source, id) DO NOTHING",
            connection);
        var parameters = Types.Select(t => command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = t })).ToArray();
        await command.PrepareAsync(cancellationToken);
        foreach (var batch in rows.Chunk(BatchSize))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            foreach (var row in batch)
            {
                for (var p = 0; p < parameters.Length; p++)
                {
                    parameters[p].Value = row[p];
                }

                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
    }

    private static async Task MultiRowAsync(NpgsqlConnection connection, List<object[]> rows, CancellationToken cancellationToken)
    {
        foreach (var batch in rows.Chunk(BatchSize))
        {
            var values = string.Join(", ", batch.Select((_, r) => "(" + string.Join(", ", Types.Select((_, c) => "$" + (r * Types.Length + c + 1))) + ")"));
            await using var command = new NpgsqlCommand($"INSERT INTO audit_events ({Columns}) VALUES {values} ON CONFLICT (source, id) DO NOTHING", connection);
            foreach (var row in batch)
            {
                for (var p = 0; p < Types.Length; p++)
                {
                    command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = Types[p], Value = row[p] });
                }
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    private static async Task CopyAsync(NpgsqlConnection connection, List<object[]> rows, CancellationToken cancellationToken)
    {
        await using (var create = new NpgsqlCommand("CREATE TEMPORARY TABLE audit_staging (LIKE audit_events) ON COMMIT DELETE ROWS", connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var move = new NpgsqlCommand(
            $"INSERT INTO audit_events ({Columns}) SELECT {Columns} FROM audit_staging ON CONFLICT (source, id) DO NOTHING", connection);
        foreach (var batch in rows.Chunk(BatchSize))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var writer = await connection.BeginBinaryImportAsync($"COPY audit_staging ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                foreach (var row in batch)
                {
                    await writer.StartRowAsync(cancellationToken);
                    for (var p = 0; p < Types.Length; p++)
                    {
                        if (row[p] is DBNull)
                        {
                            await writer.WriteNullAsync(cancellationToken);
                        }
                        else
                        {
                            await writer.WriteAsync(row[p], Types[p], cancellationToken);
                        }
                    }
                }

                await writer.CompleteAsync(cancellationToken);
            }

            await move.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }
}
