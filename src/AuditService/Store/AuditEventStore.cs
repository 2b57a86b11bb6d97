using System.Globalization;
using System.Text.Json;
using AuditService.Api;
using Microsoft.Data.Sqlite;
using UserAudit.ServiceDefaults.Storage;

namespace AuditService.Store;

/// <summary>Filters of an audit query; every one optional.</summary>
public sealed record AuditQuery(
    string? Type = null, string? Source = null, string? Subject = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, long? Before = null, int Limit = 50);

/// <summary>A stored event and its position (the cursor of newest-first paging).</summary>
public sealed record StoredAuditEvent(long Sequence, AuditRecord Record);

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
    ];

    /// <summary>
    /// Stores a batch in one transaction; events already stored (same source and id) are skipped.
    /// Returns how many were new and how many were duplicates.
    /// </summary>
    public async Task<(int Inserted, int Duplicates)> InsertAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return (0, 0);
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
        foreach (var name in (string[])["$source", "$id", "$type", "$specversion", "$subject", "$time", "$time_ms", "$ct", "$schema", "$ext", "$json", "$bytes", "$topic", "$partition", "$offset", "$received", "$received_ms"])
        {
            p[name] = command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        var inserted = 0;
        foreach (var r in records)
        {
            p["$source"].Value = r.Source;
            p["$id"].Value = r.Id;
            p["$type"].Value = r.Type;
            p["$specversion"].Value = r.SpecVersion;
            p["$subject"].Value = (object?)r.Subject ?? DBNull.Value;
            p["$time"].Value = r.Time is { } t ? t.ToString("O", CultureInfo.InvariantCulture) : DBNull.Value;
            p["$time_ms"].Value = r.Time is { } tm ? tm.ToUnixTimeMilliseconds() : DBNull.Value;
            p["$ct"].Value = (object?)r.DataContentType ?? DBNull.Value;
            p["$schema"].Value = (object?)r.DataSchema ?? DBNull.Value;
            p["$ext"].Value = JsonSerializer.Serialize(r.Extensions, AuditJsonContext.Default.IReadOnlyDictionaryStringString);
            p["$json"].Value = (object?)r.DataJson ?? DBNull.Value;
            p["$bytes"].Value = (object?)r.DataBytes ?? DBNull.Value;
            p["$topic"].Value = (object?)r.Kafka?.Topic ?? DBNull.Value;
            p["$partition"].Value = r.Kafka is null ? DBNull.Value : r.Kafka.Partition;
            p["$offset"].Value = r.Kafka is null ? DBNull.Value : r.Kafka.Offset;
            p["$received"].Value = r.ReceivedAt.ToString("O", CultureInfo.InvariantCulture);
            p["$received_ms"].Value = r.ReceivedAt.ToUnixTimeMilliseconds();
            inserted += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return (inserted, records.Count - inserted);
    }

    /// <summary>Events newest first, filtered, after the cursor <see cref="AuditQuery.Before"/>.</summary>
    public async Task<IReadOnlyList<StoredAuditEvent>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Columns} FROM audit_events
            WHERE ($type IS NULL OR type = $type)
              AND ($source IS NULL OR source = $source)
              AND ($subject IS NULL OR subject = $subject)
              AND ($from IS NULL OR time_unix_ms >= $from)
              AND ($to IS NULL OR time_unix_ms < $to)
              AND ($before IS NULL OR seq < $before)
            ORDER BY seq DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$type", (object?)query.Type ?? DBNull.Value);
        command.Parameters.AddWithValue("$source", (object?)query.Source ?? DBNull.Value);
        command.Parameters.AddWithValue("$subject", (object?)query.Subject ?? DBNull.Value);
        command.Parameters.AddWithValue("$from", query.From is { } f ? f.ToUnixTimeMilliseconds() : DBNull.Value);
        command.Parameters.AddWithValue("$to", query.To is { } t ? t.ToUnixTimeMilliseconds() : DBNull.Value);
        command.Parameters.AddWithValue("$before", (object?)query.Before ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", query.Limit);
        var events = new List<StoredAuditEvent>(query.Limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(Read(reader));
        }

        return events;
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

    /// <summary>Deletes events received before <paramref name="before"/>; returns how many.</summary>
    public async Task<int> DeleteReceivedBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM audit_events WHERE received_unix_ms < $before";
        command.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private const string Columns = "seq, source, id, type, specversion, subject, time, datacontenttype, dataschema, extensions, data_json, data_bytes, kafka_topic, kafka_partition, kafka_offset, received_at";

    private static StoredAuditEvent Read(SqliteDataReader r) => new(
        r.GetInt64(0),
        new AuditRecord(
            r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
            r.IsDBNull(5) ? null : r.GetString(5),
            r.IsDBNull(6) ? null : DateTimeOffset.Parse(r.GetString(6), CultureInfo.InvariantCulture),
            r.IsDBNull(7) ? null : r.GetString(7),
            r.IsDBNull(8) ? null : r.GetString(8),
            JsonSerializer.Deserialize(r.GetString(9), AuditJsonContext.Default.IReadOnlyDictionaryStringString) ?? new Dictionary<string, string>(),
            r.IsDBNull(10) ? null : r.GetString(10),
            r.IsDBNull(11) ? null : (byte[])r.GetValue(11),
            r.IsDBNull(12) ? null : new KafkaCoordinates(r.GetString(12), r.GetInt32(13), r.GetInt64(14)),
            DateTimeOffset.Parse(r.GetString(15), CultureInfo.InvariantCulture)));
}
