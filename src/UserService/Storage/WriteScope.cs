using System.Data.Common;
using Npgsql;
using UserAudit.ServiceDefaults.Storage;

namespace UserService.Storage;

/// <summary>
/// What one write sees inside <see cref="GroupCommitWriter"/>'s batch transaction: statements that
/// stay prepared for the life of the writer's connection, so a statement is compiled once, not
/// once per request (compiling was most of SQLite's time per rename in the profile). On SQLite the
/// command is kept; on PostgreSQL the server keeps the prepared statement (automatic preparation).
/// </summary>
public sealed class WriteScope
{
    private readonly DbConnection _connection;
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    internal WriteScope(DbConnection connection) => _connection = connection;

    internal DbTransaction? Transaction { get; set; }

    /// <summary>Whether the writer's database is PostgreSQL, for a statement only that dialect can run.</summary>
    internal bool IsPostgres => _connection is NpgsqlConnection;

    /// <summary>
    /// <c> FOR UPDATE</c> on PostgreSQL, nothing on SQLite: append it to a read of a row this write
    /// then changes (<see cref="SqlDialect.ForUpdate"/>).
    /// </summary>
    public string ForUpdate => SqlDialect.ForUpdate(_connection);

    /// <summary>
    /// The command for <paramref name="sql"/>, in the batch's transaction, with no parameters:
    /// add them with <see cref="SqlDialect.AddParameter(DbCommand, string, object?)"/> (named
    /// <c>@name</c>) and execute it synchronously: the writer's loop owns its thread for the batch.
    /// </summary>
    public DbCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command) || IsPostgres)
        {
            // Npgsql prepares by statement text on the connection (Max Auto Prepare), not per
            // command, and a reused command keeps the parameters it bound first: a fresh command
            // each time there, the same one with its parameters cleared on SQLite.
            command?.Dispose();
            command = _connection.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
        }

        command.Transaction = Transaction;
        command.Parameters.Clear();
        return command;
    }

    /// <summary>
    /// Makes writes that name the same <paramref name="key"/> run one after the other, on every
    /// replica: on PostgreSQL a transaction advisory lock on the key's hash; on SQLite nothing (its
    /// writes already run one at a time). For a check followed by an insert, such as an idempotency key's.
    /// </summary>
    public void SerializeOn(string key)
    {
        if (SqlDialect.SerializeOnSql(_connection) is not { } sql)
        {
            return;
        }

        var command = Command(sql);
        command.AddParameter("@key", key);
        command.ExecuteNonQuery();
    }

    internal void Forget()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
    }
}
