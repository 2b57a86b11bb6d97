using System.Data.Common;
using Npgsql;
using UserAudit.ServiceDefaults.Storage;

namespace UserService.Storage;

/// <summary>
/// One statement of a write in <see cref="GroupCommitWriter"/>'s batch, from
/// <see cref="WriteScope.Command(string)"/>. Add its parameters, then run it one of two ways: a
/// statement whose answer the write needs (<see cref="ExecuteReader"/>, <see cref="ExecuteScalar"/>,
/// <see cref="ExecuteNonQuery"/>) runs now; one that returns no rows and whose row count nobody reads
/// (<see cref="Defer"/>) travels with the write's next statement that does, or with the end of the write.
/// </summary>
/// <remarks>
/// Why: on PostgreSQL every statement sent alone is a round trip, and a rename was five of them
/// (savepoint, read for update, update, outbox insert, release), each one waking the server and
/// the writer in turn on two busy cores. Deferred, a rename is two (savepoint with the read; update,
/// insert and release together), a create without an idempotency key one: 15-19 % less CPU per
/// rename across the processes (docs/benchmarks.md, "A write's statements in two round trips"). On
/// SQLite, in process, nothing waits: every statement runs when it is called, on a command kept prepared.
/// <para/>
/// A deferred statement's error surfaces at the next statement sent, or at the write's end: either
/// way inside the write, which the writer then undoes alone, as for an error where it was called.
/// </remarks>
public sealed class WriteCommand
{
    private readonly WriteScope _scope;
    private readonly DbCommand? _command;
    private readonly NpgsqlBatchCommand? _batched;

    internal WriteCommand(WriteScope scope, DbCommand command) => (_scope, _command) = (scope, command);

    internal WriteCommand(WriteScope scope, NpgsqlBatchCommand batched) => (_scope, _batched) = (scope, batched);

    /// <summary>Adds a parameter named <c>@name</c> with a value (null is sent as SQL NULL).</summary>
    public DbParameter AddParameter(string name, object? value)
    {
        if (_command is not null)
        {
            return _command.AddParameter(name, value);
        }

        var parameter = new NpgsqlParameter(name, value ?? DBNull.Value);
        _batched!.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>
    /// Runs the statement with the write's next round trip: now on SQLite; on PostgreSQL with the next
    /// statement the write executes, or when the write ends. Only for a statement that returns no rows.
    /// </summary>
    public void Defer()
    {
        if (_command is not null)
        {
            _command.ExecuteNonQuery();
            return;
        }

        _scope.Wait(_batched!);
    }

    /// <summary>Runs the statement now, with any deferred before it, and returns the rows it changed.</summary>
    public int ExecuteNonQuery()
    {
        if (_command is not null)
        {
            return _command.ExecuteNonQuery();
        }

        _scope.Send(_batched!).ExecuteNonQuery();
        return _batched!.RecordsAffected;
    }

    /// <summary>Runs the statement now, with any deferred before it, and returns its first row's first value.</summary>
    public object? ExecuteScalar() => _command is not null ? _command.ExecuteScalar() : _scope.Send(_batched!).ExecuteScalar();

    /// <summary>Runs the statement now, with any deferred before it, and returns a reader over its rows.</summary>
    public DbDataReader ExecuteReader() => _command is not null ? _command.ExecuteReader() : _scope.Send(_batched!).ExecuteReader();

    /// <summary>A kept SQLite command, made ready for its next use: the batch's transaction, no parameters.</summary>
    internal void Reset(DbTransaction? transaction)
    {
        _command!.Transaction = transaction;
        _command.Parameters.Clear();
    }

    /// <summary>Disposes a kept SQLite command when the writer's connection goes.</summary>
    internal void Forget() => _command?.Dispose();
}
