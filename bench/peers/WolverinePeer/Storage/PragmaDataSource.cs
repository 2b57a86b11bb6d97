using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace WolverinePeer.Storage;

/// <summary>
/// The data source Wolverine's SQLite message store opens its connections from. Wolverine opens
/// them itself, so the settings are applied when a connection reports that it opened.
/// </summary>
internal sealed class PragmaDataSource(UserDatabase database) : DbDataSource
{
    /// <inheritdoc />
    public override string ConnectionString => database.ConnectionString;

    /// <inheritdoc />
    protected override DbConnection CreateDbConnection()
    {
        var connection = new SqliteConnection(database.ConnectionString);
        connection.StateChange += (sender, e) =>
        {
            if (e.CurrentState == ConnectionState.Open && e.OriginalState != ConnectionState.Open)
            {
                UserDatabase.ApplyPragmas((DbConnection)sender);
            }
        };
        return connection;
    }
}
