using AuditService.Integrity;
using AuditService.Retention;
using AuditService.Store;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using UserAudit.ServiceDefaults.Storage;

namespace UserAudit.Tests.Integrity;

/// <summary>
/// AuditService's store in a temporary folder, migrated, with the pieces that work on it wired the
/// way the service wires them: the chain's checkpoints, its verifier, retention; on a fake clock.
/// </summary>
internal sealed class TemporaryAuditStore : IAsyncDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "useraudit-tests", $"store-{Guid.NewGuid():N}");

    private TemporaryAuditStore(string checkpointKey)
    {
        Database = new SqliteDatabase(new StorageOptions { DataDirectory = _folder }, "audit.db");
        Store = new AuditEventStore(Database);
        Signer = new CheckpointSigner(Options.Create(new IntegrityOptions { CheckpointKey = checkpointKey }));
        Checkpoints = new CheckpointStore(Database, Signer, Time);
        Verifier = new ChainVerifier(Database, Signer);
        Retention = new RetentionCut(Database, Checkpoints, Verifier);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));

    public SqliteDatabase Database { get; }

    public AuditEventStore Store { get; }

    public CheckpointSigner Signer { get; }

    public CheckpointStore Checkpoints { get; }

    public ChainVerifier Verifier { get; }

    public RetentionCut Retention { get; }

    /// <summary>A migrated store; <paramref name="checkpointKey"/> is the secret the signing key derives from.</summary>
    public static async Task<TemporaryAuditStore> CreateAsync(CancellationToken cancellationToken, string checkpointKey = "a-checkpoint-secret-of-32-characters-at-least")
    {
        var store = new TemporaryAuditStore(checkpointKey);
        await store.Database.MigrateAsync(AuditEventStore.Migrations, cancellationToken);
        return store;
    }

    /// <summary>An event of the tests' source received at <paramref name="receivedAt"/> (now by default).</summary>
    public AuditRecord Record(string? id = null, string data = """{"n":1}""", DateTimeOffset? receivedAt = null, string source = "urn:useraudit-tests:store") =>
        new(source, id ?? Guid.NewGuid().ToString(), "org.useraudit.tests.stored.v1", "1.0", "subject-1", Time.GetUtcNow(),
            "application/json", null, new Dictionary<string, string> { ["tenant"] = "blue" }, data, null, null, receivedAt ?? Time.GetUtcNow());

    /// <summary>Runs SQL against the database file the way an intruder with a SQLite client would.</summary>
    public async Task TamperAsync(string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Database.FilePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync()
    {
        Signer.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
