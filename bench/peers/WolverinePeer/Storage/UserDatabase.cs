using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace WolverinePeer.Storage;

/// <summary>
/// The peer's SQLite file: UserService's <c>users</c> table and Wolverine's envelope tables side by
/// side, so a user change and its outgoing message commit in one transaction.
/// </summary>
public sealed class UserDatabase
{
    /// <summary>
    /// UserService's users table, as its first migration creates it, so both sides write the same
    /// rows into the same kind of B-tree.
    /// </summary>
    public const string UsersTable = """
        CREATE TABLE IF NOT EXISTS users (
            id            TEXT    PRIMARY KEY,
            name          TEXT    NOT NULL,
            password_hash TEXT    NOT NULL,
            version       INTEGER NOT NULL,
            created_at    TEXT    NOT NULL,
            updated_at    TEXT    NOT NULL
        ) WITHOUT ROWID;
        """;

    /// <summary>
    /// UserService's per-connection settings (its SqliteDatabase with the default StorageOptions):
    /// every connection to the file gets them, Wolverine's own included, or a connection left at
    /// synchronous=FULL would fsync each commit and one left at SQLite's default autocheckpoint
    /// would checkpoint far more often than UserService does.
    /// </summary>
    public const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; PRAGMA cache_size=-2048; PRAGMA wal_autocheckpoint=16384;";

    /// <summary>Describes the database file <c>users.db</c> in <paramref name="dataDirectory"/>; nothing is opened.</summary>
    public UserDatabase(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(Path.Combine(dataDirectory, "users.db")),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The connection string every connection to the file uses.</summary>
    public string ConnectionString { get; }

    /// <summary>Switches the file to WAL and creates the users table.</summary>
    public void Create()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;" + UsersTable;
        command.ExecuteNonQuery();
    }

    /// <summary>Opens a pooled connection with the settings applied.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        ApplyPragmas(connection);
        return connection;
    }

    /// <summary>Opens a pooled connection with the settings applied.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await ApplyPragmasAsync(connection, cancellationToken);
        return connection;
    }

    /// <summary>Applies the settings to a connection someone else opened.</summary>
    public static void ApplyPragmas(DbConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    /// <summary>Applies the settings to a connection someone else opened.</summary>
    public static async Task ApplyPragmasAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
