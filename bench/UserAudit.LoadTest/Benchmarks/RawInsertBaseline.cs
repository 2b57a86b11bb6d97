using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AuditService.Store;
using Microsoft.Data.Sqlite;
using UserAudit.ServiceDefaults.Storage;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>
/// The drain's storage baseline: the rows AuditService would store, inserted into AuditService's own
/// schema (its migrations, so the same table and indexes) through its database type (so the same
/// pragmas and WAL) with one prepared INSERT in transactions of AuditService's batch size, and
/// nothing else: no Kafka, no decoding, no dedupe clause, values rendered before the clock starts.
/// The rate SQLite itself allows for these rows on this machine.
/// </summary>
public static class RawInsertBaseline
{
    /// <summary>AuditService's <c>Ingestion:BatchSize</c>: one transaction per batch, as it commits.</summary>
    public const int BatchSize = 500;

    /// <summary>The columns the baseline writes, in <see cref="Values"/>' order.</summary>
    internal const string Columns = """
        source, id, type, specversion, subject, time, time_unix_ms, datacontenttype, dataschema,
            extensions, data_json, data_bytes, kafka_topic, kafka_partition, kafka_offset, received_at, received_unix_ms
        """;

    private const string Insert = $"""
        INSERT INTO audit_events ({Columns})
        VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10, $p11, $p12, $p13, $p14, $p15, $p16)
        """;

    /// <summary>Rows per second inserting <paramref name="records"/> into a fresh database.</summary>
    public static async Task<double> MeasureAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var directory = Directory.CreateTempSubdirectory("useraudit-raw-insert-");
        try
        {
            var database = new SqliteDatabase(new StorageOptions { DataDirectory = directory.FullName }, "audit.db");
            await database.MigrateAsync(AuditEventStore.Migrations, cancellationToken);
            var rows = records.Select(Values).ToList();

            await using var connection = await database.OpenAsync(cancellationToken);
            using var command = connection.CreateCommand();
            command.CommandText = Insert;
            var parameters = Enumerable.Range(0, 17).Select(i => command.Parameters.Add(new SqliteParameter { ParameterName = "$p" + i.ToString(CultureInfo.InvariantCulture) })).ToArray();
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
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    /// <summary>The columns AuditEventStore writes for a record, in <see cref="Columns"/>' order.</summary>
    internal static object[] Values(AuditRecord r) =>
    [
        r.Source, r.Id, r.Type, r.SpecVersion,
        (object?)r.Subject ?? DBNull.Value,
        r.Time is { } t ? t.ToString("O", CultureInfo.InvariantCulture) : DBNull.Value,
        r.Time is { } tm ? tm.ToUnixTimeMilliseconds() : DBNull.Value,
        (object?)r.DataContentType ?? DBNull.Value,
        (object?)r.DataSchema ?? DBNull.Value,
        JsonSerializer.Serialize(r.Extensions),
        (object?)r.DataJson ?? DBNull.Value,
        (object?)r.DataBytes ?? DBNull.Value,
        (object?)r.Kafka?.Topic ?? DBNull.Value,
        r.Kafka is null ? DBNull.Value : r.Kafka.Partition,
        r.Kafka is null ? DBNull.Value : r.Kafka.Offset,
        r.ReceivedAt.ToString("O", CultureInfo.InvariantCulture),
        r.ReceivedAt.ToUnixTimeMilliseconds(),
    ];
}
