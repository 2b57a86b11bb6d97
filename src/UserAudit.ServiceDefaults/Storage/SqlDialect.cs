using System.Data;
using System.Data.Common;
using Npgsql;

namespace UserAudit.ServiceDefaults.Storage;

/// <summary>
/// The few words of SQL, and the parameter helpers, that let one statement serve SQLite and
/// PostgreSQL. Write parameters as <c>@name</c>: both providers read that form.
/// </summary>
public static class SqlDialect
{
    /// <summary>
    /// <c> FOR UPDATE</c> on PostgreSQL, nothing on SQLite: appended to a read inside a write
    /// transaction that the same transaction then writes back. SQLite's write transaction already
    /// holds the database's only write lock; PostgreSQL's row lock makes a second writer wait for
    /// the first's commit instead of both reading the same value.
    /// </summary>
    public static string ForUpdate(DbConnection connection) => connection is NpgsqlConnection ? " FOR UPDATE" : "";

    /// <summary>
    /// Makes transactions that name the same <paramref name="key"/> run one after the other: on
    /// PostgreSQL a transaction advisory lock on the key's hash, released at commit or rollback; on
    /// SQLite nothing, since its write transactions already run one at a time. For a check followed
    /// by an insert (is this idempotency key known?) that must not race another transaction's.
    /// </summary>
    public static async Task SerializeOnAsync(this DbTransaction transaction, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (transaction.Connection is not { } connection || SerializeOnSql(connection) is not { } sql)
        {
            return;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.AddParameter("@key", key);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The statement behind <see cref="SerializeOnAsync"/>, taking the key as <c>@key</c>; null on
    /// SQLite, which needs none. For callers that keep their commands prepared.
    /// </summary>
    public static string? SerializeOnSql(DbConnection connection) =>
        connection is NpgsqlConnection ? "SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))" : null;

    /// <summary>
    /// Whether <paramref name="exception"/> says the database chose this transaction to give way (a
    /// deadlock or a serialization failure, SQLSTATE 40P01 or 40001): running it again may succeed.
    /// SQLite's one writer at a time never raises either.
    /// </summary>
    public static bool IsConflict(Exception exception) => exception is DbException { SqlState: "40P01" or "40001" };

    /// <summary>
    /// Whether <paramref name="exception"/> is a unique constraint's refusal (SQLSTATE 23505 on
    /// PostgreSQL, SQLITE_CONSTRAINT on SQLite): another writer stored the same key first.
    /// </summary>
    public static bool IsUniqueViolation(Exception exception) =>
        exception is DbException { SqlState: "23505" } or Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 };

    /// <summary>Adds a parameter with a value (null is sent as SQL NULL).</summary>
    public static DbParameter AddParameter(this DbCommand command, string name, object? value)
    {
        ArgumentNullException.ThrowIfNull(command);
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>
    /// Adds a typed parameter without a value, for a command prepared once and run for many rows; the
    /// type lets PostgreSQL prepare it before the first value, and keeps a null from being untyped.
    /// </summary>
    public static DbParameter AddParameter(this DbCommand command, string name, DbType type)
    {
        ArgumentNullException.ThrowIfNull(command);
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
