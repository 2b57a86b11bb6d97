using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace UserAudit.ServiceDefaults.Storage;

/// <summary>
/// An embedded SQLite database in WAL mode, created and migrated at start. Migrations are an
/// ordered list of SQL scripts; <c>PRAGMA user_version</c> records how many have run. Its folder is
/// the service's own: created with mode 0700, and narrowed to it when found wider, so that no other
/// account on the machine reads the database, its WAL or its journal.
/// </summary>
public sealed class SqliteDatabase : ServiceDatabase
{
    private readonly string _connectionString;
    private readonly string _synchronous;
    private readonly int _cacheSizeKiB;
    private readonly int _walAutoCheckpointPages;

    // The native connections the pragmas were applied to. A pooled connection keeps them between
    // opens, and running them on every open cost a parse and five statements per request.
    private readonly ConditionalWeakTable<object, object> _configured = [];

    /// <summary>Creates the database description; nothing is opened until used.</summary>
    /// <param name="options">Storage options.</param>
    /// <param name="fileName">File name inside <see cref="StorageOptions.DataDirectory"/>.</param>
    public SqliteDatabase(StorageOptions options, string fileName)
    {
        ArgumentNullException.ThrowIfNull(options);
        CreatePrivateDirectory(options.DataDirectory);
        FilePath = Path.GetFullPath(Path.Combine(options.DataDirectory, fileName));
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _synchronous = options.Synchronous.Equals("Full", StringComparison.OrdinalIgnoreCase) ? "FULL" : "NORMAL";
        _cacheSizeKiB = options.CacheSizeKiB;
        _walAutoCheckpointPages = options.WalAutoCheckpointPages;
    }

    /// <summary>Owner only: read, write, search.</summary>
    public const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // Windows folders inherit their parent's ACL; a user's profile is already private.
            Directory.CreateDirectory(path);
            return;
        }

        var directory = Directory.CreateDirectory(path, PrivateDirectoryMode);
        if (directory.UnixFileMode != PrivateDirectoryMode)
        {
            directory.UnixFileMode = PrivateDirectoryMode;
        }
    }

    /// <summary>Full path of the database file.</summary>
    public string FilePath { get; }

    /// <inheritdoc/>
    public override StorageProvider Provider => StorageProvider.Sqlite;

    /// <inheritdoc/>
    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default) => await OpenAsync(cancellationToken);

    /// <inheritdoc/>
    /// <remarks>A deferred transaction: SQLite fixes its snapshot at the first read and takes no write lock.</remarks>
    public override Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken = default) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    /// <inheritdoc/>
    public override Task MigrateAsync(ServiceSchema schema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return MigrateAsync(schema.Sqlite, cancellationToken);
    }

    /// <summary>Opens a pooled connection with the service's pragmas applied.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        if (connection.Handle is not { } handle || _configured.TryGetValue(handle, out _))
        {
            return connection;
        }

        await using var pragma = connection.CreateCommand();
        // busy_timeout lets concurrent writers queue instead of failing with SQLITE_BUSY.
        pragma.CommandText = $"PRAGMA synchronous={_synchronous}; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; "
            + $"PRAGMA cache_size=-{_cacheSizeKiB}; PRAGMA wal_autocheckpoint={_walAutoCheckpointPages};";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        _configured.AddOrUpdate(handle, handle);
        return connection;
    }

    /// <summary>Switches to WAL and runs the migrations not yet applied, each in its own transaction.</summary>
    public async Task MigrateAsync(IReadOnlyList<string> migrations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        await using var connection = await OpenAsync(cancellationToken);
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        // Replicas sharing one file migrate at the same moment: the version is read inside the
        // migration's write transaction (BEGIN IMMEDIATE), so a replica that waited for another's
        // migration sees it applied instead of running the same script twice.
        while (true)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var versionCommand = connection.CreateCommand();
            versionCommand.Transaction = transaction;
            versionCommand.CommandText = "PRAGMA user_version;";
            var version = Convert.ToInt32(await versionCommand.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            if (version >= migrations.Count)
            {
                await transaction.CommitAsync(cancellationToken);
                return;
            }

            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"{migrations[version]};\nPRAGMA user_version = {version + 1};";
            await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }
}
