using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AuditService.Store;

/// <summary>
/// One statement prepared on a SQLite connection's own handle and bound by position, for the store's
/// per-row INSERT. Microsoft.Data.Sqlite binds by name on every execution (a name lookup and a
/// binder object per parameter per row, the text converted to a fresh UTF-8 array); on the drain
/// that was most of what the store did beyond SQLite itself. Runs inside the caller's transaction.
/// </summary>
internal sealed class SqliteRowStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int[] _positions;
    private byte[] _text = ArrayPool<byte>.Shared.Rent(1024);

    /// <summary>Prepares <paramref name="sql"/>; <paramref name="parameters"/> are its parameter names, in the order values are given.</summary>
    /// <exception cref="SqliteException">SQLite refused the statement.</exception>
    public SqliteRowStatement(SqliteConnection connection, string sql, IReadOnlyList<string> parameters)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(_db, sql, out _statement), _db);
        _positions = new int[parameters.Count];
        for (var i = 0; i < _positions.Length; i++)
        {
            _positions[i] = raw.sqlite3_bind_parameter_index(_statement, parameters[i]);
            if (_positions[i] == 0)
            {
                _statement.Dispose();
                throw new ArgumentException($"The statement has no parameter '{parameters[i]}'.", nameof(parameters));
            }
        }
    }

    /// <summary>Binds the value of the parameter at <paramref name="index"/> (in the constructor's order): null, text, integer or bytes.</summary>
    /// <exception cref="ArgumentException">A value of another type.</exception>
    public void Bind(int index, object? value)
    {
        var position = _positions[index];
        var rc = value switch
        {
            null or DBNull => raw.sqlite3_bind_null(_statement, position),
            string text => BindText(position, text),
            long number => raw.sqlite3_bind_int64(_statement, position, number),
            int number => raw.sqlite3_bind_int64(_statement, position, number),
            byte[] bytes => raw.sqlite3_bind_blob(_statement, position, bytes),
            _ => throw new ArgumentException($"No SQLite binding for a {value.GetType().Name}.", nameof(value)),
        };
        SqliteException.ThrowExceptionForRC(rc, _db);
    }

    /// <summary>Runs the statement once with the values bound, and readies it for the next.</summary>
    /// <returns>Rows changed (0 for an INSERT that <c>ON CONFLICT DO NOTHING</c> skipped).</returns>
    /// <exception cref="SqliteException">SQLite failed the statement (busy, full disk, a constraint).</exception>
    public int Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        var changes = rc == raw.SQLITE_DONE ? raw.sqlite3_changes(_db) : 0;
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }

        return changes;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _statement.Dispose();
        ArrayPool<byte>.Shared.Return(_text);
        _text = [];
    }

    // Encoded into one reused buffer; SQLite copies it (SQLITE_TRANSIENT) before the call returns.
    private int BindText(int position, string text)
    {
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (length > _text.Length)
        {
            ArrayPool<byte>.Shared.Return(_text);
            _text = ArrayPool<byte>.Shared.Rent(length);
        }

        var written = Encoding.UTF8.GetBytes(text, _text);
        return raw.sqlite3_bind_text(_statement, position, _text.AsSpan(0, written));
    }
}
