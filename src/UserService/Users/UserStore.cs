using System.Data.Common;
using System.Globalization;
using UserAudit.ServiceDefaults.Storage;
using UserService.Outbox;
using UserService.Storage;

namespace UserService.Users;

/// <summary>
/// Users in the service's database (SQLite or PostgreSQL). Every change writes its outbox rows in the same transaction,
/// so a change and its events are stored together or not at all. Changes go through the
/// <see cref="GroupCommitWriter"/> (one connection, batches of changes per commit); reads use pooled connections.
/// </summary>
public sealed class UserStore(ServiceDatabase database, GroupCommitWriter writer, OutboxStore outbox, OutboxSignal signal, IdempotencyKeys idempotencyKeys)
{
    /// <summary>UserService's database, <c>users</c>, with its migrations for both providers.</summary>
    public static ServiceSchema Schema => new("users", Migrations, PostgresMigrations);

    /// <summary>
    /// The PostgreSQL schema: the SQLite migrations' end state in one step (PostgreSQL support began
    /// after them). Times the code compares are Unix milliseconds (<c>bigint</c>), as in SQLite.
    /// </summary>
    public static readonly IReadOnlyList<string> PostgresMigrations =
    [
        """
        CREATE TABLE users (
            id            text    PRIMARY KEY,
            name          text    NOT NULL,
            password_hash text    NOT NULL,
            version       bigint  NOT NULL,
            created_at    text    NOT NULL,
            updated_at    text    NOT NULL,
            role          text    NOT NULL DEFAULT 'user',
            token_version bigint  NOT NULL DEFAULT 0
        );
        CREATE TABLE idempotency_keys (
            key          text    PRIMARY KEY,
            user_id      text    NOT NULL,
            response     text    NOT NULL,
            created_at   bigint  NOT NULL,
            request_hash bytea
        );
        CREATE INDEX idempotency_keys_user ON idempotency_keys (user_id);
        CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
        CREATE TABLE sign_in_failures (
            account      text    PRIMARY KEY,
            failures     integer NOT NULL,
            locked_until bigint
        );
        """ + OutboxStore.PostgresSchema,
    ];

    /// <summary>UserService's SQLite migrations, in order.</summary>
    public static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE users (
            id            TEXT    PRIMARY KEY,
            name          TEXT    NOT NULL,
            password_hash TEXT    NOT NULL,
            version       INTEGER NOT NULL,
            created_at    TEXT    NOT NULL,
            updated_at    TEXT    NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE idempotency_keys (
            key        TEXT    PRIMARY KEY,
            user_id    TEXT    NOT NULL,
            response   TEXT    NOT NULL,
            created_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        """ + OutboxStore.Schema,
        // Sign-in (issue 12): roles, a token version that ends old tokens, the actor of each
        // event, and failed sign-ins per account (whether or not it exists, so lockouts do not
        // tell which ids exist).
        """
        ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'user';
        ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE outbox ADD COLUMN auth_type TEXT;
        ALTER TABLE outbox ADD COLUMN auth_id TEXT;
        CREATE TABLE sign_in_failures (
            account      TEXT    PRIMARY KEY,
            failures     INTEGER NOT NULL,
            locked_until INTEGER
        ) WITHOUT ROWID;
        """,
        // Idempotency keys expire, go with their user, and hold a keyed hash of their request
        // (IdempotencyKeys). Keys remembered before this have no hash to compare: they are dropped
        // (they would have expired within a day).
        """
        DELETE FROM idempotency_keys;
        ALTER TABLE idempotency_keys ADD COLUMN request_hash BLOB;
        CREATE INDEX idempotency_keys_user ON idempotency_keys (user_id);
        CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
        """,
    ];

    /// <summary>A user, or the answer first given for a live idempotency key.</summary>
    public sealed record IdempotentCreate(User? Created, IdempotentReplay? Previous);

    /// <summary>
    /// Creates a user and its outbox message. With an idempotency key that is live, nothing is
    /// written and the first answer is returned instead.
    /// </summary>
    public async Task<IdempotentCreate> CreateAsync(
        User user, OutboxMessage message, IdempotentRequest? idempotency, Func<User, string> describe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(describe);
        var result = await writer.WriteAsync(scope =>
        {
            if (idempotency is not null)
            {
                // Two creates with one key must not both find it unknown (PostgreSQL runs replicas' writes at once).
                scope.SerializeOn("idempotency-key/" + idempotency.Key);
            }

            if (idempotency is not null && idempotencyKeys.Find(scope, idempotency.Key) is { } previous)
            {
                return new IdempotentCreate(null, previous);
            }

            var insert = scope.Command("""
                INSERT INTO users (id, name, password_hash, version, created_at, updated_at, role, token_version)
                VALUES (@id, @name, @hash, @version, @created, @updated, @role, @token_version)
                """);
            insert.AddParameter("@id", user.Id);
            insert.AddParameter("@name", user.Name);
            insert.AddParameter("@hash", user.PasswordHash);
            insert.AddParameter("@version", user.Version);
            insert.AddParameter("@created", Format(user.CreatedAt));
            insert.AddParameter("@updated", Format(user.UpdatedAt));
            insert.AddParameter("@role", user.Role);
            insert.AddParameter("@token_version", user.TokenVersion);
            insert.Defer();

            if (idempotency is not null)
            {
                idempotencyKeys.Remember(scope, idempotency, user.Id, describe(user));
            }

            outbox.Add(scope, message);
            return new IdempotentCreate(user, null);
        }, cancellationToken);
        if (result.Created is not null)
        {
            signal.Notify();
        }

        return result;
    }

    /// <summary>One user, or null.</summary>
    public async Task<User?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await FindAsync(connection, id, cancellationToken);
    }

    /// <summary>Users ordered by id (ids are time-ordered UUIDv7), after <paramref name="afterId"/>.</summary>
    public async Task<IReadOnlyList<User>> ListAsync(string? afterId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // No "@after IS NULL OR": PostgreSQL cannot type a parameter that is only compared with NULL.
        command.CommandText = $"SELECT {Columns} FROM users WHERE {(afterId is null ? "1 = 1" : "id > @after")} ORDER BY id LIMIT @limit";
        if (afterId is not null)
        {
            command.AddParameter("@after", afterId);
        }

        command.AddParameter("@limit", limit);
        var users = new List<User>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            users.Add(Read(reader));
        }

        return users;
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the current user when its version matches
    /// <paramref name="expectedVersion"/> (any version when null), bumps the version and writes
    /// the outbox messages the change produced, all in one transaction. The change is given the
    /// version it will produce, for its events to name.
    /// </summary>
    public async Task<(WriteOutcome Outcome, User? User)> UpdateAsync(
        string id, long? expectedVersion, Func<User, long, (User Updated, IReadOnlyList<OutboxMessage> Events)> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var (outcome, user, wrote) = await writer.WriteAsync(scope =>
        {
            var current = Find(scope, id);
            if (current is null)
            {
                return (WriteOutcome.NotFound, (User?)null, false);
            }

            if (expectedVersion is not null && expectedVersion != current.Version)
            {
                return (WriteOutcome.VersionMismatch, current, false);
            }

            var nextVersion = current.Version + 1;
            var (updated, events) = change(current, nextVersion);
            if (events.Count == 0)
            {
                return (WriteOutcome.Done, current, false); // nothing changed: no new version, no event
            }

            updated = updated with { Version = nextVersion };
            var command = scope.Command("""
                UPDATE users SET name = @name, password_hash = @hash, version = @version, updated_at = @updated, token_version = @token_version
                WHERE id = @id
                """);
            command.AddParameter("@token_version", updated.TokenVersion);
            command.AddParameter("@id", id);
            command.AddParameter("@name", updated.Name);
            command.AddParameter("@hash", updated.PasswordHash);
            command.AddParameter("@version", updated.Version);
            command.AddParameter("@updated", Format(updated.UpdatedAt));
            command.Defer();
            foreach (var message in events)
            {
                outbox.Add(scope, message);
            }

            return (WriteOutcome.Done, updated, true);
        }, cancellationToken);
        if (wrote)
        {
            signal.Notify();
        }

        return (outcome, user);
    }

    /// <summary>
    /// Deletes a user when its version matches (any when null) and writes the deletion event; the
    /// user's idempotency keys go too (their remembered answers hold the name).
    /// </summary>
    public async Task<WriteOutcome> DeleteAsync(string id, long? expectedVersion, Func<User, OutboxMessage> deletedEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deletedEvent);
        var outcome = await writer.WriteAsync(scope =>
        {
            var current = Find(scope, id);
            if (current is null)
            {
                return WriteOutcome.NotFound;
            }

            if (expectedVersion is not null && expectedVersion != current.Version)
            {
                return WriteOutcome.VersionMismatch;
            }

            var command = scope.Command("DELETE FROM users WHERE id = @id");
            command.AddParameter("@id", id);
            command.Defer();
            IdempotencyKeys.ForgetUser(scope, id);
            outbox.Add(scope, deletedEvent(current));
            return WriteOutcome.Done;
        }, cancellationToken);
        if (outcome == WriteOutcome.Done)
        {
            signal.Notify();
        }

        return outcome;
    }

    private const string Columns = "id, name, password_hash, version, created_at, updated_at, role, token_version";

    private const string FindSql = $"SELECT {Columns} FROM users WHERE id = @id";

    private static async Task<User?> FindAsync(DbConnection connection, string id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = FindSql;
        command.AddParameter("@id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    // Inside a write: the current row, read in the write's transaction.
    private static User? Find(WriteScope scope, string id)
    {
        var command = scope.Command(FindSql + scope.ForUpdate);
        command.AddParameter("@id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    private static User Read(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3),
        DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture),
        DateTimeOffset.Parse(reader.GetString(5), CultureInfo.InvariantCulture),
        reader.GetString(6), reader.GetInt64(7));

    private static string Format(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);
}
