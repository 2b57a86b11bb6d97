using System.Diagnostics;
using System.Globalization;
using System.Data;
using AuditService.Integrity;
using AuditService.Store;
using Microsoft.Data.Sqlite;
using UserAudit.ServiceDefaults.Storage;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>
/// The drain's storage baseline: the rows AuditService stores, every column of them (its position in
/// the chain and both hashes included, computed before the clock starts), inserted into AuditService's
/// own schema (its migrations, so the same table and indexes) through its database type (so the same
/// pragmas and WAL) with one prepared INSERT in transactions of AuditService's batch size, and
/// nothing else: no Kafka, no decoding, no hashing, no dedupe clause. The rate SQLite itself allows
/// for these rows on this machine.
/// </summary>
public static class RawInsertBaseline
{
    /// <summary>AuditService's <c>Ingestion:BatchSize</c>: one transaction per batch, as it commits.</summary>
    public const int BatchSize = 500;

    /// <summary>The columns the baseline writes, in <see cref="Rows"/>' order: all of a stored event's.</summary>
    internal const string Columns = $"seq, {AuditRow.Columns}, content_hash, chain_hash";

    /// <summary>The type of each of <see cref="Columns"/>.</summary>
    internal static IReadOnlyList<DbType> Types { get; } = [DbType.Int64, .. AuditRow.ColumnTypes, DbType.Binary, DbType.Binary];

    private static readonly string Insert =
        $"INSERT INTO audit_events ({Columns}) VALUES ({string.Join(", ", Types.Select((_, i) => "$p" + i.ToString(CultureInfo.InvariantCulture)))})";

    /// <summary>Rows per second inserting <paramref name="records"/> into a fresh database.</summary>
    public static async Task<double> MeasureAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        return await WithFreshDatabaseAsync("useraudit-raw-insert-", async database =>
        {
            var rows = Rows(records);
            await using var connection = await database.OpenAsync(cancellationToken);
            using var command = connection.CreateCommand();
            command.CommandText = Insert;
            var parameters = Types.Select((type, i) => command.Parameters.Add(new SqliteParameter { ParameterName = "$p" + i.ToString(CultureInfo.InvariantCulture), DbType = type })).ToArray();
            command.Prepare();

            // Synchronous calls: Microsoft.Data.Sqlite's async ones only wrap them, and a raw script would not pay for that.
            var started = Stopwatch.GetTimestamp();
            for (var offset = 0; offset < rows.Count; offset += BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var transaction = connection.BeginTransaction();
                command.Transaction = transaction;
                for (var i = offset; i < Math.Min(offset + BatchSize, rows.Count); i++)
                {
                    for (var p = 0; p < parameters.Length; p++)
                    {
                        parameters[p].Value = rows[i][p];
                    }

                    command.ExecuteNonQuery();
                }

                transaction.Commit();
            }

            return rows.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
        }, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="measure"/> on a fresh AuditService database (its migrations, its SQLite
    /// settings) in a temporary folder named with <paramref name="prefix"/>, removed after.
    /// </summary>
    internal static async Task<double> WithFreshDatabaseAsync(string prefix, Func<SqliteDatabase, Task<double>> measure, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory(prefix);
        try
        {
            var database = new SqliteDatabase(new StorageOptions { DataDirectory = directory.FullName }, "audit.db");
            await database.MigrateAsync(AuditEventStore.Migrations, cancellationToken);
            return await measure(database);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The rows AuditService would store for <paramref name="records"/> in a fresh store, in
    /// <see cref="Columns"/>' order (<see cref="DBNull"/> for SQL NULL): positions from 1, each
    /// row's content hash and its link in a chain of its own.
    /// </summary>
    internal static List<object[]> Rows(IReadOnlyList<AuditRecord> records)
    {
        var link = AuditHashing.Genesis(Guid.NewGuid().ToString());
        var rows = new List<object[]>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var row = AuditRow.From(records[i]);
            var content = AuditHashing.Content(row);
            link = AuditHashing.Link(link, i + 1, content, row);
            rows.Add([(long)i + 1, .. row.Values().Select(v => v ?? DBNull.Value), content, link]);
        }

        return rows;
    }
}
