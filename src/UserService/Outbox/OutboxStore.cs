using UserAudit.ServiceDefaults.Storage;
using UserService.Storage;

namespace UserService.Outbox;

/// <summary>The outbox table: rows are added inside business transactions and read, marked and pruned by the relay.</summary>
public sealed class OutboxStore(ServiceDatabase database, GroupCommitWriter writer, TimeProvider time)
{
    /// <summary>The outbox schema (part of UserService's migrations).</summary>
    public const string Schema = """
        CREATE TABLE outbox (
            seq          INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id     TEXT    NOT NULL UNIQUE,
            event_type   TEXT    NOT NULL,
            subject      TEXT    NOT NULL,
            time         TEXT    NOT NULL,
            data         TEXT    NOT NULL,
            traceparent  TEXT,
            tracestate   TEXT,
            created_at   INTEGER NOT NULL,
            delivered_at INTEGER,
            attempts     INTEGER NOT NULL DEFAULT 0,
            last_error   TEXT
        );
        CREATE INDEX outbox_pending ON outbox (seq) WHERE delivered_at IS NULL;
        CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;
        """;

    /// <summary>The outbox's PostgreSQL schema, as the SQLite migrations leave it (part of UserService's PostgreSQL migration).</summary>
    public const string PostgresSchema = """
        CREATE TABLE outbox (
            seq          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            event_id     text    NOT NULL UNIQUE,
            event_type   text    NOT NULL,
            subject      text    NOT NULL,
            time         text    NOT NULL,
            data         text    NOT NULL,
            traceparent  text,
            tracestate   text,
            created_at   bigint  NOT NULL,
            delivered_at bigint,
            attempts     integer NOT NULL DEFAULT 0,
            last_error   text,
            auth_type    text,
            auth_id      text
        );
        CREATE INDEX outbox_pending ON outbox (seq) WHERE delivered_at IS NULL;
        CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;
        """;

    /// <summary>Adds a message inside the caller's write (and so in the same transaction as its change).</summary>
    public void Add(WriteScope scope, OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(message);
        var command = scope.Command("""
            INSERT INTO outbox (event_id, event_type, subject, time, data, traceparent, tracestate, created_at, auth_type, auth_id)
            VALUES (@id, @type, @subject, @time, @data, @traceparent, @tracestate, @created, @auth_type, @auth_id)
            """);
        command.AddParameter("@id", message.EventId);
        command.AddParameter("@type", message.Type);
        command.AddParameter("@subject", message.Subject);
        command.AddParameter("@time", message.Time.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        command.AddParameter("@data", message.Data);
        command.AddParameter("@traceparent", (object?)message.TraceParent ?? DBNull.Value);
        command.AddParameter("@tracestate", (object?)message.TraceState ?? DBNull.Value);
        command.AddParameter("@created", time.GetUtcNow().ToUnixTimeMilliseconds());
        command.AddParameter("@auth_type", message.AuthType);
        command.AddParameter("@auth_id", (object?)message.AuthId ?? DBNull.Value);
        command.Defer();
    }

    /// <summary>The oldest pending rows, in the order they were written.</summary>
    public async Task<IReadOnlyList<PendingMessage>> ReadPendingAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT seq, event_id, event_type, subject, time, data, traceparent, tracestate, attempts, auth_type, auth_id
            FROM outbox WHERE delivered_at IS NULL ORDER BY seq LIMIT @limit
            """;
        command.AddParameter("@limit", limit);
        var rows = new List<PendingMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new PendingMessage(
                reader.GetInt64(0),
                new OutboxMessage(
                    reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    DateTimeOffset.Parse(reader.GetString(4), System.Globalization.CultureInfo.InvariantCulture),
                    reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7),
                    // Rows written before the actor was recorded name none.
                    reader.IsDBNull(9) ? UserAudit.CloudEvents.AuthTypes.Unknown : reader.GetString(9),
                    reader.IsDBNull(10) ? null : reader.GetString(10)),
                reader.GetInt32(8)));
        }

        return rows;
    }

    /// <summary>Marks rows delivered (the broker acknowledged them) and records failures, in one write.</summary>
    public Task CompleteAsync(IReadOnlyList<long> delivered, IReadOnlyList<(long Sequence, string Error)> failed, CancellationToken cancellationToken)
    {
        if (delivered.Count == 0 && failed.Count == 0)
        {
            return Task.CompletedTask;
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return writer.WriteAsync(scope =>
        {
            if (scope.IsPostgres)
            {
                // One statement for the relay's whole batch: a round trip per row was a sixth of the
                // statements PostgreSQL ran per rename. SQLite runs in process, so per row costs it little.
                if (delivered.Count > 0)
                {
                    var marks = scope.Command("UPDATE outbox SET delivered_at = @now, attempts = attempts + 1, last_error = NULL WHERE seq = ANY(@seqs)");
                    marks.AddParameter("@seqs", delivered as long[] ?? [.. delivered]);
                    marks.AddParameter("@now", now);
                    marks.Defer();
                }
            }
            else
            {
                foreach (var s in delivered)
                {
                    var mark = scope.Command("UPDATE outbox SET delivered_at = @now, attempts = attempts + 1, last_error = NULL WHERE seq = @seq");
                    mark.AddParameter("@seq", s);
                    mark.AddParameter("@now", now);
                    mark.Defer();
                }
            }

            foreach (var (s, e) in failed)
            {
                var fail = scope.Command("UPDATE outbox SET attempts = attempts + 1, last_error = @error WHERE seq = @seq");
                fail.AddParameter("@seq", s);
                fail.AddParameter("@error", e);
                fail.Defer();
            }

            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Deletes delivered rows older than <paramref name="retention"/>, a bounded number per write so
    /// that a day's worth never holds up the writes queued behind it; returns how many.
    /// </summary>
    public Task<int> PruneAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        var before = (time.GetUtcNow() - retention).ToUnixTimeMilliseconds();
        return writer.DeleteInChunksAsync("""
            DELETE FROM outbox WHERE seq IN
                (SELECT seq FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < @before ORDER BY delivered_at LIMIT @limit)
            """, "@before", before, perWrite: 2_000, cancellationToken);
    }

    /// <summary>How many rows wait and when the oldest was written.</summary>
    public async Task<(long Count, DateTimeOffset? Oldest)> PendingStatisticsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), min(created_at) FROM outbox WHERE delivered_at IS NULL";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)));
    }
}
