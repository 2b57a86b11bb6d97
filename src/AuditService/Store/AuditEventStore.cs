using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using UserAudit.ServiceDefaults.Storage;

namespace AuditService.Store;

/// <summary>
/// The audit store: one row per (source, id), as the CloudEvents spec identifies an event, so a
/// redelivered event is skipped, not stored twice.
/// </summary>
public sealed class AuditEventStore(SqliteDatabase database)
{
    /// <summary>AuditService's migrations, in order.</summary>
    public static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE audit_events (
            seq               INTEGER PRIMARY KEY AUTOINCREMENT,
            source            TEXT    NOT NULL,
            id                TEXT    NOT NULL,
            type              TEXT    NOT NULL,
            specversion       TEXT    NOT NULL,
            subject           TEXT,
            time              TEXT,
            time_unix_ms      INTEGER,
            datacontenttype   TEXT,
            dataschema        TEXT,
            extensions        TEXT    NOT NULL,
            data_json         TEXT,
            data_bytes        BLOB,
            kafka_topic       TEXT,
            kafka_partition   INTEGER,
            kafka_offset      INTEGER,
            received_at       TEXT    NOT NULL,
            received_unix_ms  INTEGER NOT NULL,
            UNIQUE (source, id)
        );
        CREATE INDEX audit_events_type ON audit_events (type, seq);
        CREATE INDEX audit_events_subject ON audit_events (subject, seq);
        CREATE INDEX audit_events_time ON audit_events (time_unix_ms);
        CREATE INDEX audit_events_received ON audit_events (received_unix_ms);
        """,
        // Newest-first pages of one source walk this index and stop at the page size; without it the
        // (source, id) index found every row of the source and sorted them: 100 ms a page at 100,000 rows.
        "CREATE INDEX audit_events_source ON audit_events (source, seq);",
    ];

    /// <summary>
    /// Stores a batch in one transaction; events already stored (same source and id) are skipped.
    /// </summary>
    /// <returns>Which records were new.</returns>
    public async Task<AuditWriteResult> InsertAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return AuditWriteResult.Empty;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO audit_events (source, id, type, specversion, subject, time, time_unix_ms, datacontenttype, dataschema,
                extensions, data_json, data_bytes, kafka_topic, kafka_partition, kafka_offset, received_at, received_unix_ms)
            VALUES ($source, $id, $type, $specversion, $subject, $time, $time_ms, $ct, $schema,
                $ext, $json, $bytes, $topic, $partition, $offset, $received, $received_ms)
            ON CONFLICT (source, id) DO NOTHING
            """;
        var p = new Dictionary<string, SqliteParameter>();
        string[] names =
        [
            "$source", "$id", "$type", "$specversion", "$subject", "$time", "$time_ms", "$ct", "$schema",
            "$ext", "$json", "$bytes", "$topic", "$partition", "$offset", "$received", "$received_ms",
        ];
        foreach (var name in names)
        {
            p[name] = command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        var inserted = new bool[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            p["$source"].Value = r.Source;
            p["$id"].Value = r.Id;
            p["$type"].Value = r.Type;
            p["$specversion"].Value = r.SpecVersion;
            p["$subject"].Value = (object?)r.Subject ?? DBNull.Value;
            p["$time"].Value = r.Time is { } t ? t.ToString("O", CultureInfo.InvariantCulture) : DBNull.Value;
            p["$time_ms"].Value = r.Time is { } tm ? tm.ToUnixTimeMilliseconds() : DBNull.Value;
            p["$ct"].Value = (object?)r.DataContentType ?? DBNull.Value;
            p["$schema"].Value = (object?)r.DataSchema ?? DBNull.Value;
            p["$ext"].Value = JsonSerializer.Serialize(r.Extensions, AuditStoreJsonContext.Default.IReadOnlyDictionaryStringString);
            p["$json"].Value = (object?)r.DataJson ?? DBNull.Value;
            p["$bytes"].Value = (object?)r.DataBytes ?? DBNull.Value;
            p["$topic"].Value = (object?)r.Kafka?.Topic ?? DBNull.Value;
            p["$partition"].Value = r.Kafka is null ? DBNull.Value : r.Kafka.Partition;
            p["$offset"].Value = r.Kafka is null ? DBNull.Value : r.Kafka.Offset;
            p["$received"].Value = r.ReceivedAt.ToString("O", CultureInfo.InvariantCulture);
            p["$received_ms"].Value = r.ReceivedAt.ToUnixTimeMilliseconds();
            inserted[i] = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }

        await transaction.CommitAsync(cancellationToken);
        return new AuditWriteResult(inserted);
    }

    /// <summary>Events newest first, filtered, after the cursor <see cref="AuditQuery.Before"/>.</summary>
    public async Task<IReadOnlyList<StoredAuditEvent>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = Where(command, query);
        if (query.Before is { } before)
        {
            where += " AND seq < $before";
            command.Parameters.AddWithValue("$before", before);
        }

        command.CommandText = $"SELECT {Columns} FROM audit_events WHERE {where} ORDER BY seq DESC LIMIT $limit";
        command.Parameters.AddWithValue("$limit", query.Limit);
        var events = new List<StoredAuditEvent>(query.Limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(Read(reader));
        }

        return events;
    }

    /// <summary>
    /// Every event matching the filters, newest first, read in pages of <see cref="AuditQuery.Limit"/>
    /// rows with a fresh short query each, so a long export neither holds the whole result in memory
    /// nor keeps one read transaction open (which would stop WAL checkpoints) for its duration.
    /// </summary>
    public async IAsyncEnumerable<StoredAuditEvent> ReadAllAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var page = query;
        while (true)
        {
            var events = await QueryAsync(page, cancellationToken);
            foreach (var stored in events)
            {
                yield return stored;
            }

            if (events.Count < page.Limit)
            {
                yield break;
            }

            page = page with { Before = events[^1].Sequence };
        }
    }

    /// <summary>
    /// How many events match the filters, per type (most frequent first) or per hour of the event's
    /// <c>time</c> (oldest first; events without a time fall in no hour).
    /// </summary>
    public async Task<IReadOnlyList<AuditCount>> CountAsync(AuditQuery query, AuditCountDimension by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = Where(command, query);
        command.CommandText = by switch
        {
            AuditCountDimension.Type => $"SELECT type, COUNT(*) AS n FROM audit_events WHERE {where} GROUP BY type ORDER BY n DESC, type",
            AuditCountDimension.Hour => $"""
                SELECT time_unix_ms / 3600000 AS hour, COUNT(*) FROM audit_events
                WHERE {where} AND time_unix_ms IS NOT NULL GROUP BY hour ORDER BY hour
                """,
            _ => throw new ArgumentOutOfRangeException(nameof(by), by, "Unknown count dimension."),
        };
        var counts = new List<AuditCount>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var key = by == AuditCountDimension.Type
                ? reader.GetString(0)
                : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0) * 3_600_000).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            counts.Add(new AuditCount(key, reader.GetInt64(1)));
        }

        return counts;
    }

    /// <summary>One event by its identity, or null.</summary>
    public async Task<StoredAuditEvent?> FindAsync(string source, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM audit_events WHERE source = $source AND id = $id";
        command.Parameters.AddWithValue("$source", source);
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>
    /// Deletes events received before <paramref name="before"/>; returns how many. Rows go in
    /// batches, each its own short write transaction, so ingestion is never locked out for long.
    /// </summary>
    public async Task<int> DeleteReceivedBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        const int batchSize = 5_000;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            DELETE FROM audit_events WHERE seq IN
                (SELECT seq FROM audit_events WHERE received_unix_ms < $before LIMIT $batch)
            """;
        command.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$batch", batchSize);
        var total = 0;
        int deleted;
        do
        {
            deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            total += deleted;
        }
        while (deleted == batchSize);

        return total;
    }

    /// <summary>
    /// The WHERE clause of the filters present, parameters added to <paramref name="command"/>. Only
    /// present filters appear, so SQLite can pick the index of the most selective one.
    /// </summary>
    private static string Where(SqliteCommand command, AuditQuery query)
    {
        var clauses = new List<string>(5) { "1 = 1" };
        void Add(string clause, string name, object value)
        {
            clauses.Add(clause);
            command.Parameters.AddWithValue(name, value);
        }

        if (query.Type is not null)
        {
            Add("type = $type", "$type", query.Type);
        }

        if (query.Source is not null)
        {
            Add("source = $source", "$source", query.Source);
        }

        if (query.Subject is not null)
        {
            Add("subject = $subject", "$subject", query.Subject);
        }

        if (query.From is { } from)
        {
            Add("time_unix_ms >= $from", "$from", from.ToUnixTimeMilliseconds());
        }

        if (query.To is { } to)
        {
            Add("time_unix_ms < $to", "$to", to.ToUnixTimeMilliseconds());
        }

        return string.Join(" AND ", clauses);
    }

    private const string Columns =
        "seq, source, id, type, specversion, subject, time, datacontenttype, dataschema, extensions, data_json, data_bytes, "
        + "kafka_topic, kafka_partition, kafka_offset, received_at";

    private static StoredAuditEvent Read(SqliteDataReader r) => new(
        r.GetInt64(0),
        new AuditRecord(
            r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
            r.IsDBNull(5) ? null : r.GetString(5),
            r.IsDBNull(6) ? null : DateTimeOffset.Parse(r.GetString(6), CultureInfo.InvariantCulture),
            r.IsDBNull(7) ? null : r.GetString(7),
            r.IsDBNull(8) ? null : r.GetString(8),
            JsonSerializer.Deserialize(r.GetString(9), AuditStoreJsonContext.Default.IReadOnlyDictionaryStringString) ?? new Dictionary<string, string>(),
            r.IsDBNull(10) ? null : r.GetString(10),
            r.IsDBNull(11) ? null : (byte[])r.GetValue(11),
            r.IsDBNull(12) ? null : new KafkaCoordinates(r.GetString(12), r.GetInt32(13), r.GetInt64(14)),
            DateTimeOffset.Parse(r.GetString(15), CultureInfo.InvariantCulture)));
}
