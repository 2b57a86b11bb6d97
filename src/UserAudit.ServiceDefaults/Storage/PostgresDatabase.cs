using System.Data;
using System.Data.Common;
using Npgsql;

namespace UserAudit.ServiceDefaults.Storage;

/// <summary>
/// A service's database on a PostgreSQL server, reached through the pooled, instrumented
/// <see cref="NpgsqlDataSource"/> of the Aspire.Npgsql client integration. At start the database is
/// created when missing, then the migrations not yet applied run in one transaction under an
/// advisory lock, so replicas that start together apply each migration once.
/// </summary>
/// <param name="dataSource">The data source of the service's own database.</param>
/// <param name="connectionString">The data source's connection string, password included (the data source keeps none to read back).</param>
public sealed class PostgresDatabase(NpgsqlDataSource dataSource, string connectionString) : ServiceDatabase
{
    /// <summary>
    /// Advisory lock key of migrations and database creation; any 64-bit number, fixed so every
    /// replica of every version takes the same lock.
    /// </summary>
    public const long MigrationLockKey = 0x55_73_65_72_41_75_64_69; // "UserAudi"

    private static readonly TimeSpan ListenProbeInterval = TimeSpan.FromSeconds(30);

    /// <inheritdoc/>
    public override StorageProvider Provider => StorageProvider.Postgres;

    /// <summary>The service's database name.</summary>
    public string DatabaseName { get; } = new NpgsqlConnectionStringBuilder(connectionString).Database
        ?? throw new ArgumentException("The connection string names no database.", nameof(connectionString));

    /// <inheritdoc/>
    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default) =>
        await dataSource.OpenConnectionAsync(cancellationToken);

    /// <inheritdoc/>
    /// <remarks>REPEATABLE READ: PostgreSQL's snapshot for the whole transaction, read only.</remarks>
    public override async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using var readOnly = connection.CreateCommand();
        readOnly.Transaction = transaction;
        readOnly.CommandText = "SET TRANSACTION READ ONLY";
        await readOnly.ExecuteNonQueryAsync(cancellationToken);
        return transaction;
    }

    /// <summary>
    /// Listens on <paramref name="channel"/> until cancelled, on a connection of its own:
    /// <paramref name="notified"/> runs once as soon as the listening starts (what was notified
    /// before then was missed, so look once) and then on every notification. A broken connection
    /// throws (<see cref="NpgsqlException"/>), for the caller to listen again.
    /// </summary>
    /// <param name="channel">The channel: a lower-case identifier.</param>
    /// <param name="notified">Called on the connection's reading thread; keep it short.</param>
    /// <param name="cancellationToken">Stops listening.</param>
    /// <exception cref="ArgumentException"><paramref name="channel"/> is not a plain identifier.</exception>
    public async Task ListenAsync(string channel, Action notified, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notified);
        var sql = "LISTEN " + Channel(channel);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        connection.Notification += (_, _) => notified();
        await ExecuteAsync(connection, null, sql, cancellationToken);
        notified();
        while (true)
        {
            // A quiet connection is probed now and then, so a server gone away is noticed.
            if (!await connection.WaitAsync(ListenProbeInterval, cancellationToken))
            {
                await ExecuteAsync(connection, null, "SELECT 1", cancellationToken);
            }
        }
    }

    /// <summary>Notifies the listeners of <paramref name="channel"/> when <paramref name="transaction"/> commits, and not at all if it rolls back.</summary>
    /// <exception cref="ArgumentException"><paramref name="channel"/> is not a plain identifier.</exception>
    public static Task NotifyAsync(DbConnection connection, DbTransaction transaction, string channel, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, "NOTIFY " + Channel(channel), cancellationToken);

    // A channel is an identifier, which cannot be a parameter: only plain ones are accepted.
    private static string Channel(string channel) =>
        !string.IsNullOrEmpty(channel) && channel.Length <= 63 && channel.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_') && channel[0] is not (>= '0' and <= '9')
            ? channel
            : throw new ArgumentException($"'{channel}' is not a plain lower-case identifier.", nameof(channel));

    /// <inheritdoc/>
    public override async Task MigrateAsync(ServiceSchema schema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        await CreateDatabaseIfMissingAsync(cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(@key)", cancellationToken, MigrationLockKey);
        await ExecuteAsync(connection, transaction,
            "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", cancellationToken);
        await using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = "SELECT coalesce(max(version), 0) FROM schema_migrations";
        var applied = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        for (var version = applied + 1; version <= schema.Postgres.Count; version++)
        {
            await ExecuteAsync(connection, transaction, schema.Postgres[version - 1], cancellationToken);
            await ExecuteAsync(connection, transaction, "INSERT INTO schema_migrations (version) VALUES (@key)", cancellationToken, version);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Creates the service's database on first start. The common case (it exists) needs no other
    /// database; only a missing one is created from the server's <c>postgres</c> database, under a
    /// session advisory lock so that two replicas do not both try.
    /// </summary>
    private async Task CreateDatabaseIfMissingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var probe = await dataSource.OpenConnectionAsync(cancellationToken);
            return;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            // Missing: created below.
        }

        var server = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "SELECT pg_advisory_lock(@key)", cancellationToken, MigrationLockKey);
        await using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT count(*) FROM pg_database WHERE datname = @name";
        exists.AddParameter("@name", DatabaseName);
        if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            // An identifier cannot be a parameter: quoted, with its quotes doubled.
            await ExecuteAsync(connection, null, $"CREATE DATABASE \"{DatabaseName.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", cancellationToken);
        }

        await ExecuteAsync(connection, null, "SELECT pg_advisory_unlock(@key)", cancellationToken, MigrationLockKey);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, long? key = null)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        if (key is { } value)
        {
            command.AddParameter("@key", value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
