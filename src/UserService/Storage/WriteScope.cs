using Microsoft.Data.Sqlite;

namespace UserService.Storage;

/// <summary>
/// What one write sees inside <see cref="GroupCommitWriter"/>'s batch transaction: commands that
/// stay prepared for the life of the writer's connection, so a statement is compiled once, not
/// once per request (compiling was most of SQLite's time per rename in the profile).
/// </summary>
public sealed class WriteScope
{
    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    internal WriteScope(SqliteConnection connection) => _connection = connection;

    internal SqliteTransaction? Transaction { get; set; }

    /// <summary>
    /// The command for <paramref name="sql"/>, in the batch's transaction, with no parameters:
    /// add them with <c>Parameters.AddWithValue</c> and execute it (synchronously: the writer's
    /// loop owns its thread for the batch).
    /// </summary>
    public SqliteCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
        }

        command.Transaction = Transaction;
        command.Parameters.Clear();
        return command;
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
