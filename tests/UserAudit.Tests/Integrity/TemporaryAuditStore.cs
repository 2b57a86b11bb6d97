using AuditService.Integrity;
using AuditService.Retention;
using AuditService.Store;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using UserAudit.ServiceDefaults.Storage;
using UserAudit.Tests.Infrastructure;

namespace UserAudit.Tests.Integrity;

/// <summary>
/// AuditService's store, migrated, with the pieces that work on it wired the way the service wires
/// them: the chain's checkpoints, its verifier, retention; on a fake clock. On SQLite, a file in a
/// temporary folder; on PostgreSQL, a database of its own on the tests' scratch server.
/// </summary>
internal sealed class TemporaryAuditStore : IAsyncDisposable
{
    private const string DefaultCheckpointKey = "a-checkpoint-secret-of-32-characters-at-least";
    private readonly Func<ValueTask> _remove;

    private TemporaryAuditStore(ServiceDatabase database, Func<ValueTask> remove, string checkpointKey)
    {
        (Database, _remove) = (database, remove);
        Store = new AuditEventStore(Database);
        Signer = new CheckpointSigner(Options.Create(new IntegrityOptions { CheckpointKey = checkpointKey }));
        Checkpoints = new CheckpointStore(Database, Signer, Time);
        Verifier = new ChainVerifier(Database, Signer);
        Retention = new RetentionCut(Database, Checkpoints, Verifier);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));

    public ServiceDatabase Database { get; }

    public AuditEventStore Store { get; }

    public CheckpointSigner Signer { get; }

    public CheckpointStore Checkpoints { get; }

    public ChainVerifier Verifier { get; }

    public RetentionCut Retention { get; }

    /// <summary>A migrated store on SQLite; <paramref name="checkpointKey"/> is the secret the signing key derives from.</summary>
    public static async Task<TemporaryAuditStore> CreateAsync(CancellationToken cancellationToken, string checkpointKey = DefaultCheckpointKey)
    {
        var folder = Path.Combine(Path.GetTempPath(), "useraudit-tests", $"store-{Guid.NewGuid():N}");
        var store = new TemporaryAuditStore(new SqliteDatabase(new StorageOptions { DataDirectory = folder }, "audit.db"), () =>
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
            return ValueTask.CompletedTask;
        }, checkpointKey);
        await store.Database.MigrateAsync(AuditEventStore.Schema, cancellationToken);
        return store;
    }

    /// <summary>A migrated store on <paramref name="provider"/>; PostgreSQL's is a new database on <paramref name="postgres"/>.</summary>
    public static async Task<TemporaryAuditStore> CreateAsync(StorageProvider provider, TestPostgres postgres, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(postgres);
        if (provider == StorageProvider.Sqlite)
        {
            return await CreateAsync(cancellationToken);
        }

        var (database, dataSource) = await postgres.CreateDatabaseAsync("audit_store", cancellationToken);
        var store = new TemporaryAuditStore(database, dataSource.DisposeAsync, DefaultCheckpointKey);
        await store.Database.MigrateAsync(AuditEventStore.Schema, cancellationToken);
        return store;
    }

    /// <summary>An event of the tests' source received at <paramref name="receivedAt"/> (now by default).</summary>
    public AuditRecord Record(string? id = null, string data = """{"n":1}""", DateTimeOffset? receivedAt = null, string source = "urn:useraudit-tests:store") =>
        new(source, id ?? Guid.NewGuid().ToString(), "org.useraudit.tests.stored.v1", "1.0", "subject-1", Time.GetUtcNow(),
            "application/json", null, new Dictionary<string, string> { ["tenant"] = "blue" }, data, null, null, receivedAt ?? Time.GetUtcNow());

    /// <summary>Runs SQL against the database the way an intruder with a SQLite client (or <c>psql</c>) would.</summary>
    public async Task TamperAsync(string sql)
    {
        await using var connection = Database is SqliteDatabase sqlite
            ? new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqlite.FilePath, Pooling = false }.ToString())
            : await Database.OpenConnectionAsync();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync();
        }

        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync()
    {
        Signer.Dispose();
        return _remove();
    }
}
