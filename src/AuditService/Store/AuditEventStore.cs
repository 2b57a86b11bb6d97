using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using AuditService.Integrity;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using UserAudit.ServiceDefaults.Storage;

namespace AuditService.Store;

/// <summary>
/// The audit store: one row per (source, id), as the CloudEvents spec identifies an event, so a
/// redelivered event is skipped, not stored twice, and a different event under a stored identity is
/// recorded as a conflict instead of replacing or hiding it. Every row is a link of the store's hash
/// chain (<see cref="AuditHashing"/>), written in the same transaction.
/// </summary>
public sealed class AuditEventStore(ServiceDatabase database)
{
    /// <summary>AuditService's SQLite migrations, in order.</summary>
    public static IReadOnlyList<string> Migrations => AuditStoreSchema.Migrations;

    /// <summary>The PostgreSQL notification channel told of every commit that stored events.</summary>
    public const string StoredChannel = "useraudit_audit_events_stored";

    /// <summary>AuditService's database, <c>audit</c>, with its migrations for both providers.</summary>
    public static ServiceSchema Schema { get; } = new("audit", AuditStoreSchema.Migrations, AuditStoreSchema.PostgresMigrations);

    private const string InsertSql = $"""
        INSERT INTO audit_events (seq, {AuditRow.Columns}, content_hash, chain_hash)
        VALUES (@seq, @c0, @c1, @c2, @c3, @c4, @c5, @c6, @c7, @c8, @c9, @c10, @c11, @c12, @c13, @c14, @c15, @c16, @c17, @c18, @c19, @content, @link)
        ON CONFLICT (source, id) DO NOTHING
        """;

    private const string ConflictSql = """
        INSERT INTO audit_conflicts (source, id, stored_content_hash, copy_content_hash, copy_event, kafka_topic, kafka_partition, kafka_offset,
            ingested_by, first_seen, last_seen, last_seen_unix_ms, copies)
        VALUES (@source, @id, @stored, @copy, @event, @topic, @partition, @offset, @by, @seen, @seen, @seen_ms, 1)
        ON CONFLICT (source, id, copy_content_hash) DO UPDATE
            SET last_seen = excluded.last_seen, last_seen_unix_ms = excluded.last_seen_unix_ms, copies = audit_conflicts.copies + 1
        """;

    /// <summary>
    /// Stores a batch in one transaction, each new event linked to the chain. An event whose
    /// (source, id) is already stored is a duplicate when its content hash matches the stored
    /// row's, and a conflict otherwise: the stored row stays, and the copy is recorded in
    /// <c>audit_conflicts</c> (once per distinct copy, with a count).
    /// </summary>
    /// <returns>What happened to each record.</returns>
    public async Task<AuditWriteResult> InsertAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return AuditWriteResult.Empty;
        }

        // Rendered and hashed before the transaction: the chain head's lock, which serializes every
        // writer (replicas included), is then held only for what needs the head.
        var rows = new (AuditRow Row, byte[] Content)[records.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var row = AuditRow.From(records[i]);
            rows[i] = (row, AuditHashing.Content(row));
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var head = await AuditChainTable.ReadForWriteAsync(connection, transaction, cancellationToken);
        var (outcomes, last) = connection is NpgsqlConnection postgres
            ? await CopyAsync(postgres, transaction, records, rows, head, cancellationToken)
            : await InsertRowsAsync((SqliteConnection)connection, transaction, records, rows, head, cancellationToken);
        if (last.Position != head.Position)
        {
            await AuditChainTable.UpdateAsync(connection, transaction, last, cancellationToken);
            if (connection is NpgsqlConnection)
            {
                // Every replica's live streams look again once this commits (StoredEventListener).
                await PostgresDatabase.NotifyAsync(connection, transaction, StoredChannel, cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return new AuditWriteResult(outcomes);
    }

    /// <summary>
    /// SQLite: one prepared INSERT per row, run in this process without a round trip; a row whose
    /// identity is stored already inserts nothing and is compared with the stored one.
    /// </summary>
    private static async Task<(AuditWriteOutcome[] Outcomes, ChainHead Head)> InsertRowsAsync(SqliteConnection connection, DbTransaction transaction,
        IReadOnlyList<AuditRecord> records, (AuditRow Row, byte[] Content)[] rows, ChainHead head, CancellationToken cancellationToken)
    {
        using var insert = new SqliteRowStatement(connection, InsertSql, InsertParameters);
        var outcomes = new AuditWriteOutcome[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (row, contentHash) = rows[i];
            var position = head.Position + 1;
            var linkHash = AuditHashing.Link(head.Hash, position, contentHash, row);
            insert.Bind(0, position);
            var values = row.Values();
            for (var c = 0; c < values.Length; c++)
            {
                insert.Bind(c + 1, values[c]);
            }

            insert.Bind(values.Length + 1, contentHash);
            insert.Bind(values.Length + 2, linkHash);
            if (insert.Execute() == 1)
            {
                head = head with { Position = position, Hash = linkHash };
                outcomes[i] = AuditWriteOutcome.Stored;
            }
            else
            {
                var stored = await StoredContentHashAsync(connection, transaction, records[i], cancellationToken);
                outcomes[i] = await DuplicateOrConflictAsync(connection, transaction, records[i], stored, contentHash, cancellationToken);
            }
        }

        return (outcomes, head);
    }

    // InsertSql's parameters in the order InsertRowsAsync binds them: the position, the row's columns, both hashes.
    private static readonly string[] InsertParameters =
        ["@seq", .. Enumerable.Range(0, AuditRow.ColumnTypes.Count).Select(i => "@c" + i.ToString(CultureInfo.InvariantCulture)), "@content", "@link"];

    /// <summary>
    /// PostgreSQL: a batch in a few round trips, however many rows, instead of one per row (the
    /// drain's measurement: row by row 5,800 rows/s, one multi-row INSERT 13,500/s, binary COPY
    /// 19,400/s). The identities
    /// already stored are read first; the chain head's row lock, which this transaction holds, keeps
    /// every other writer out until the commit, so that answer stays true. The new rows then go in
    /// with one binary COPY. Were one stored after all, the unique key would fail the COPY and the
    /// whole batch would roll back: never a row lost or stored twice.
    /// </summary>
    private static async Task<(AuditWriteOutcome[] Outcomes, ChainHead Head)> CopyAsync(NpgsqlConnection connection, DbTransaction transaction,
        IReadOnlyList<AuditRecord> records, (AuditRow Row, byte[] Content)[] rows, ChainHead head, CancellationToken cancellationToken)
    {
        var known = await StoredContentHashesAsync(connection, transaction, records, cancellationToken);
        var outcomes = new AuditWriteOutcome[records.Count];
        var linked = new List<(long Position, AuditRow Row, byte[] Content, byte[] Link)>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var (row, contentHash) = rows[i];
            if (known.TryGetValue((row.Source, row.Id), out var stored))
            {
                outcomes[i] = await DuplicateOrConflictAsync(connection, transaction, records[i], stored, contentHash, cancellationToken);
                continue;
            }

            var position = head.Position + 1;
            var linkHash = AuditHashing.Link(head.Hash, position, contentHash, row);
            head = head with { Position = position, Hash = linkHash };
            // A later copy in this batch is compared with this one, as with a row stored before.
            known[(row.Source, row.Id)] = contentHash;
            linked.Add((position, row, contentHash, linkHash));
            outcomes[i] = AuditWriteOutcome.Stored;
        }

        if (linked.Count > 0)
        {
            await using var writer = await connection.BeginBinaryImportAsync(CopySql, cancellationToken);
            foreach (var (position, row, contentHash, linkHash) in linked)
            {
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(position, NpgsqlDbType.Bigint, cancellationToken);
                var values = row.Values();
                for (var c = 0; c < values.Length; c++)
                {
                    if (values[c] is { } value)
                    {
                        await writer.WriteAsync(value, CopyTypes[c], cancellationToken);
                    }
                    else
                    {
                        await writer.WriteNullAsync(cancellationToken);
                    }
                }

                await writer.WriteAsync(contentHash, NpgsqlDbType.Bytea, cancellationToken);
                await writer.WriteAsync(linkHash, NpgsqlDbType.Bytea, cancellationToken);
            }

            await writer.CompleteAsync(cancellationToken);
        }

        return (outcomes, head);
    }

    private const string CopySql = $"COPY audit_events (seq, {AuditRow.Columns}, content_hash, chain_hash) FROM STDIN (FORMAT BINARY)";

    // PostgreSQL's type of each of AuditRow.Columns, for the binary COPY.
    private static readonly NpgsqlDbType[] CopyTypes = [.. AuditRow.ColumnTypes.Select(type => type switch
    {
        DbType.String => NpgsqlDbType.Text,
        DbType.Int64 => NpgsqlDbType.Bigint,
        DbType.Int32 => NpgsqlDbType.Integer,
        DbType.Binary => NpgsqlDbType.Bytea,
        _ => throw new InvalidOperationException($"No PostgreSQL type for {type}."),
    })];

    /// <summary>The content hash of every stored event whose (source, id) is one of <paramref name="records"/>', in one query.</summary>
    private static async Task<Dictionary<(string Source, string Id), byte[]>> StoredContentHashesAsync(
        NpgsqlConnection connection, DbTransaction transaction, IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        await using var find = connection.CreateCommand();
        find.Transaction = (NpgsqlTransaction)transaction;
        find.CommandText = "SELECT source, id, content_hash FROM audit_events WHERE (source, id) IN (SELECT * FROM unnest(@sources, @ids))";
        find.AddParameter("@sources", records.Select(r => r.Source).ToArray());
        find.AddParameter("@ids", records.Select(r => r.Id).ToArray());
        var stored = new Dictionary<(string Source, string Id), byte[]>();
        await using var reader = await find.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            stored[(reader.GetString(0), reader.GetString(1))] = reader.IsDBNull(2) ? [] : (byte[])reader.GetValue(2);
        }

        return stored;
    }

    /// <summary>The stored event's content hash, for a copy whose (source, id) is taken.</summary>
    private static async Task<byte[]> StoredContentHashAsync(DbConnection connection, DbTransaction transaction, AuditRecord copy, CancellationToken cancellationToken)
    {
        await using var find = connection.CreateCommand();
        find.Transaction = transaction;
        find.CommandText = "SELECT content_hash FROM audit_events WHERE source = @source AND id = @id";
        find.AddParameter("@source", copy.Source);
        find.AddParameter("@id", copy.Id);
        return await find.ExecuteScalarAsync(cancellationToken) as byte[] ?? [];
    }

    /// <summary>
    /// A copy of a stored identity: a duplicate when its content hash is the stored one's, else a
    /// conflict, recorded (once per distinct copy, with a count).
    /// </summary>
    private static async Task<AuditWriteOutcome> DuplicateOrConflictAsync(
        DbConnection connection, DbTransaction transaction, AuditRecord copy, byte[] stored, byte[] copyHash, CancellationToken cancellationToken)
    {
        if (stored.AsSpan().SequenceEqual(copyHash))
        {
            return AuditWriteOutcome.Duplicate;
        }

        await using var record = connection.CreateCommand();
        record.Transaction = transaction;
        record.CommandText = ConflictSql;
        record.AddParameter("@source", copy.Source);
        record.AddParameter("@id", copy.Id);
        record.AddParameter("@stored", stored);
        record.AddParameter("@copy", copyHash);
        record.AddParameter("@event", StructuredCloudEventJson.ToText(copy));
        record.AddParameter("@topic", (object?)copy.Kafka?.Topic ?? DBNull.Value);
        record.AddParameter("@partition", (object?)copy.Kafka?.Partition ?? DBNull.Value);
        record.AddParameter("@offset", (object?)copy.Kafka?.Offset ?? DBNull.Value);
        record.AddParameter("@by", (object?)copy.IngestedBy ?? DBNull.Value);
        record.AddParameter("@seen", copy.ReceivedAt.ToString("O", CultureInfo.InvariantCulture));
        record.AddParameter("@seen_ms", copy.ReceivedAt.ToUnixTimeMilliseconds());
        await record.ExecuteNonQueryAsync(cancellationToken);
        return AuditWriteOutcome.Conflict;
    }

    /// <summary>
    /// Events newest first, filtered, after the cursor <see cref="AuditQuery.Before"/>: at most
    /// <see cref="AuditQuery.Limit"/> and, past the first, <see cref="AuditQuery.MaxBytes"/> of content.
    /// </summary>
    public async Task<StorePage<StoredAuditEvent>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = Where(command, query);
        if (query.Before is { } before)
        {
            where += " AND seq < @before";
            command.AddParameter("@before", before);
        }

        command.CommandText = PageSql(command, EventPage, where, "DESC", query.MaxBytes);
        return await ReadPageAsync(command, query, cancellationToken);
    }

    /// <summary>
    /// Events stored after position <paramref name="after"/> and up to <paramref name="upTo"/> that
    /// match the filters, oldest first, bounded as <see cref="QueryAsync"/> bounds a page: the next
    /// page of a live stream resuming from a position.
    /// </summary>
    public async Task<StorePage<StoredAuditEvent>> ReadAfterAsync(AuditQuery query, long after, long upTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = Where(command, query);
        command.CommandText = PageSql(command, EventPage, $"{where} AND seq > @after AND seq <= @up_to", "ASC", query.MaxBytes);
        command.AddParameter("@after", after);
        command.AddParameter("@up_to", upTo);
        return await ReadPageAsync(command, query, cancellationToken);
    }

    /// <summary>The position of the newest stored event; 0 when none is stored.</summary>
    public async Task<long> LatestSequenceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(seq), 0) FROM audit_events";
        return (long)(await command.ExecuteScalarAsync(cancellationToken) ?? 0L);
    }

    /// <summary>
    /// Every event matching the filters, newest first, read in pages bounded as <see cref="QueryAsync"/>
    /// bounds them, with a fresh short query each, so a long export neither holds the whole result in
    /// memory nor keeps one read transaction open (which would stop WAL checkpoints) for its duration.
    /// </summary>
    public async IAsyncEnumerable<StoredAuditEvent> ReadAllAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var page = query;
        while (true)
        {
            var events = await QueryAsync(page, cancellationToken);
            foreach (var stored in events.Items)
            {
                yield return stored;
            }

            if (!events.More)
            {
                yield break;
            }

            page = page with { Before = events.Items[^1].Sequence };
        }
    }

    /// <summary>
    /// How many events match the filters, per type or per actor (most frequent first) or per hour of
    /// the event's <c>time</c> (oldest first; events without a time fall in no hour): the first
    /// <see cref="AuditQuery.Limit"/> keys.
    /// </summary>
    public async Task<IReadOnlyList<AuditCount>> CountAsync(AuditQuery query, AuditCountDimension by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = Where(command, query);
        command.CommandText = by switch
        {
            AuditCountDimension.Type => $"SELECT type, COUNT(*) AS n FROM audit_events WHERE {where} GROUP BY type ORDER BY n DESC, type LIMIT @limit",
            AuditCountDimension.Actor => $"""
                SELECT authtype, authid, COUNT(*) AS n FROM audit_events
                WHERE {where} AND authtype IS NOT NULL GROUP BY authtype, authid ORDER BY n DESC, authtype, authid LIMIT @limit
                """,
            // Floor division, on both providers: '/' truncates toward zero, which would put an
            // event at 23:30 on 31 December 1969 in the hour from midnight 1970.
            AuditCountDimension.Hour => $"""
                SELECT (time_unix_ms - ((time_unix_ms % 3600000) + 3600000) % 3600000) / 3600000 AS hour, COUNT(*) FROM audit_events
                WHERE {where} AND time_unix_ms IS NOT NULL GROUP BY hour ORDER BY hour LIMIT @limit
                """,
            _ => throw new ArgumentOutOfRangeException(nameof(by), by, "Unknown count dimension."),
        };
        command.AddParameter("@limit", query.Limit);
        var counts = new List<AuditCount>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts.Add(by switch
            {
                AuditCountDimension.Type => new AuditCount(reader.GetString(0), reader.GetInt64(1)),
                AuditCountDimension.Actor => new AuditCount(reader.IsDBNull(1) ? reader.GetString(0) : $"{reader.GetString(0)}:{reader.GetString(1)}", reader.GetInt64(2)),
                _ => new AuditCount(
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0) * 3_600_000).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), reader.GetInt64(1)),
            });
        }

        return counts;
    }

    /// <summary>One event by its identity, or null.</summary>
    public async Task<StoredAuditEvent?> FindAsync(string source, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM audit_events WHERE source = @source AND id = @id";
        command.AddParameter("@source", source);
        command.AddParameter("@id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>
    /// Recorded conflicts, newest first, optionally of one source, before the cursor <paramref name="before"/>:
    /// at most <paramref name="limit"/> and, past the first, <paramref name="maxBytes"/> of copies.
    /// </summary>
    public async Task<StorePage<AuditConflict>> ListConflictsAsync(string? source, long? before, int limit, long maxBytes, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // Only the filters present appear: PostgreSQL cannot type a parameter that is only compared with NULL.
        var where = "1 = 1";
        if (source is not null)
        {
            where += " AND source = @source";
            command.AddParameter("@source", source);
        }

        if (before is not null)
        {
            where += " AND number < @before";
            command.AddParameter("@before", before.Value);
        }

        command.CommandText = PageSql(command, ConflictPage, where, "DESC", maxBytes);
        return await StorePage<AuditConflict>.ReadAsync(command, limit, maxBytes, static r => new AuditConflict(
                r.GetInt64(0), r.GetString(1), r.GetString(2), Convert.ToHexStringLower((byte[])r.GetValue(3)), Convert.ToHexStringLower((byte[])r.GetValue(4)),
                r.GetString(5), r.IsDBNull(6) ? null : new KafkaCoordinates(r.GetString(6), r.GetInt32(7), r.GetInt64(8)), r.IsDBNull(9) ? null : r.GetString(9),
                DateTimeOffset.Parse(r.GetString(10), CultureInfo.InvariantCulture), DateTimeOffset.Parse(r.GetString(11), CultureInfo.InvariantCulture), r.GetInt64(12)),
            static c => Encoding.UTF8.GetByteCount(c.Copy), cancellationToken);
    }

    /// <summary>
    /// The WHERE clause of the filters present, parameters added to <paramref name="command"/>. Only
    /// present filters appear, so SQLite can pick the index of the most selective one.
    /// </summary>
    private static string Where(DbCommand command, AuditQuery query)
    {
        var clauses = new List<string>(5) { "1 = 1" };
        void Add(string clause, string name, object value)
        {
            clauses.Add(clause);
            command.AddParameter(name, value);
        }

        if (query.Type is not null)
        {
            Add("type = @type", "@type", query.Type);
        }

        if (query.Source is not null)
        {
            Add("source = @source", "@source", query.Source);
        }

        if (query.Subject is not null)
        {
            Add("subject = @subject", "@subject", query.Subject);
        }

        if (query.AuthId is not null)
        {
            Add("authid = @authid", "@authid", query.AuthId);
        }

        if (query.AuthType is not null)
        {
            Add("authtype = @authtype", "@authtype", query.AuthType);
        }

        if (query.From is { } from)
        {
            Add("time_unix_ms >= @from", "@from", from.ToUnixTimeMilliseconds());
        }

        if (query.To is { } to)
        {
            Add("time_unix_ms < @to", "@to", to.ToUnixTimeMilliseconds());
        }

        return string.Join(" AND ", clauses);
    }

    private const string Columns = "seq, " + AuditRow.Columns;

    /// <summary>What a page of events reads: its table, columns, order key and the size of its data.</summary>
    private static readonly PageShape EventPage = new("audit_events", Columns, "seq", "coalesce(octet_length(data_json), 0) + coalesce(octet_length(data_bytes), 0)");

    /// <summary>What a page of conflicts reads.</summary>
    private static readonly PageShape ConflictPage = new("audit_conflicts",
        "number, source, id, stored_content_hash, copy_content_hash, copy_event, kafka_topic, kafka_partition, kafka_offset, ingested_by, first_seen, last_seen, copies",
        "number", "coalesce(octet_length(copy_event), 0)");

    /// <summary>
    /// The query of a page of <paramref name="shape"/>'s rows matching <paramref name="where"/> in
    /// <paramref name="order"/> of its key, at most <c>@limit</c> rows (<see cref="StorePage{T}.ReadAsync"/>
    /// sets it). On SQLite the reader stops the statement where it stops reading. On PostgreSQL the
    /// server also leaves out the rows after the first one past <paramref name="maxBytes"/> of data:
    /// Npgsql reads a result to its end before the connection is used again, so a page of large events
    /// cut short by its budget would still bring all its rows over the network, and an export of them
    /// would do so once per event. The data's size is read from the values' headers (<c>octet_length</c>
    /// does not fetch a TOASTed value) and is never more than the size the reader counts (UTF-8 bytes of
    /// the data and more): the server keeps every row the reader keeps, and the one after it that tells
    /// more follow (the second row too, for a first row larger than the budget, which the reader always keeps).
    /// </summary>
    private static string PageSql(DbCommand command, PageShape shape, string where, string order, long maxBytes)
    {
        var (table, columns, key, size) = shape;
        if (command is not NpgsqlCommand)
        {
            return $"SELECT {columns} FROM {table} WHERE {where} ORDER BY {key} {order} LIMIT @limit";
        }

        command.AddParameter("@max_bytes", maxBytes);
        return $"""
            SELECT {columns} FROM (
                SELECT {columns}, sum({size}) OVER running - {size} AS bytes_before, row_number() OVER running AS n
                FROM {table} WHERE {where}
                WINDOW running AS (ORDER BY {key} {order} ROWS UNBOUNDED PRECEDING)
                ORDER BY {key} {order} LIMIT @limit
            ) page
            WHERE bytes_before <= @max_bytes OR n <= 2 ORDER BY {key} {order}
            """;
    }

    private sealed record PageShape(string Table, string Columns, string Key, string Size);

    private static Task<StorePage<StoredAuditEvent>> ReadPageAsync(DbCommand command, AuditQuery query, CancellationToken cancellationToken) =>
        StorePage<StoredAuditEvent>.ReadAsync(command, query.Limit, query.MaxBytes, Read, e => e.Record.ContentSize, cancellationToken);

    private static StoredAuditEvent Read(DbDataReader reader) => new(reader.GetInt64(0), AuditRow.Read(reader, 1).ToRecord());
}
