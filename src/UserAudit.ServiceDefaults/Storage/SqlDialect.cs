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
