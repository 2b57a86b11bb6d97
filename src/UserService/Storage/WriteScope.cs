using System.Data.Common;
using Npgsql;
using UserAudit.ServiceDefaults.Storage;

namespace UserService.Storage;

/// <summary>
/// What one write sees inside <see cref="GroupCommitWriter"/>'s batch transaction: its statements
/// (<see cref="WriteCommand"/>), compiled once, not once per request (compiling was most of SQLite's
/// time per rename in the profile). On SQLite the command is kept; on PostgreSQL the server keeps the
/// prepared statement (automatic preparation), and the statements a write defers go to the server
/// together, as one batch, when the write next needs an answer or ends.
/// </summary>
public sealed class WriteScope
{
    private readonly DbConnection _connection;
    private readonly Dictionary<string, WriteCommand> _commands = new(StringComparer.Ordinal);
    private readonly List<NpgsqlBatchCommand> _waiting = [];
    private NpgsqlBatch? _batch;
    private bool _savepointSent;

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
    /// The statement <paramref name="sql"/> in the batch's transaction, with no parameters: add them
    /// (named <c>@name</c>) and run it synchronously (the writer's loop owns its thread for the batch).
    /// </summary>
    public WriteCommand Command(string sql)
    {
        if (IsPostgres)
        {
            // Npgsql prepares by statement text on the connection (Max Auto Prepare), not per
            // command, and a reused command keeps the parameters it bound first: a fresh one each time.
            return new WriteCommand(this, new NpgsqlBatchCommand(sql));
        }

        if (!_commands.TryGetValue(sql, out var kept))
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            kept = new WriteCommand(this, command);
            _commands[sql] = kept;
        }

        kept.Reset(Transaction);
        return kept;
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

        // Not deferred: the lock's SELECT returns a row, which a later reader in its batch would see first.
        var command = Command(sql);
        command.AddParameter("@key", key);
        command.ExecuteNonQuery();
    }

    /// <summary>Opens the write's savepoint, deferred: it goes with the write's first statement.</summary>
    internal void BeginWrite()
    {
        Command("SAVEPOINT write").Defer();
        _savepointSent = !IsPostgres;
    }

    /// <summary>Releases the write's savepoint, sending whatever the write deferred with it.</summary>
    internal void EndWrite()
    {
        Command("RELEASE write").Defer();
        SendWaiting();
    }

    /// <summary>Drops what the write deferred and undoes what it sent, back to its savepoint.</summary>
    internal void UndoWrite()
    {
        _waiting.Clear();
        if (!_savepointSent)
        {
            return; // the write failed before any of it reached the server
        }

        Command("ROLLBACK TO write").Defer();
        Command("RELEASE write").Defer();
        SendWaiting();
    }

    /// <summary>Holds a deferred PostgreSQL statement until the next one sent.</summary>
    internal void Wait(NpgsqlBatchCommand command) => _waiting.Add(command);

    /// <summary>The batch of every deferred statement and then <paramref name="last"/>, ready to execute.</summary>
    internal NpgsqlBatch Send(NpgsqlBatchCommand last)
    {
        var batch = _batch ??= ((NpgsqlConnection)_connection).CreateBatch();
        batch.Transaction = (NpgsqlTransaction?)Transaction;
        batch.BatchCommands.Clear();
        foreach (var waiting in _waiting)
        {
            batch.BatchCommands.Add(waiting);
        }

        // Sent (or failed) either way: a deferred statement never goes twice.
        _waiting.Clear();
        _savepointSent = true;
        batch.BatchCommands.Add(last);
        return batch;
    }

    internal void Forget()
    {
        foreach (var command in _commands.Values)
        {
            command.Forget();
        }

        _commands.Clear();
        _waiting.Clear();
        _batch?.Dispose();
        _batch = null;
    }

    private void SendWaiting()
    {
        if (_waiting.Count == 0)
        {
            return;
        }

        var last = _waiting[^1];
        _waiting.RemoveAt(_waiting.Count - 1);
        Send(last).ExecuteNonQuery();
    }
}
