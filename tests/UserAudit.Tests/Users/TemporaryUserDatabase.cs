using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using UserAudit.ServiceDefaults.Storage;
using UserService.Outbox;
using UserService.Storage;
using UserService.Users;

namespace UserAudit.Tests.Users;

/// <summary>
/// UserService's SQLite database in a folder of its own, migrated, with the group-commit writer and
/// the outbox over it: for tests of what lies below the HTTP API. The folder goes on dispose.
/// </summary>
public sealed class TemporaryUserDatabase : IAsyncDisposable
{
    private readonly string _folder;

    private TemporaryUserDatabase(string folder, SqliteDatabase database, GroupCommitWriter writer, OutboxStore outbox) =>
        (_folder, Database, Writer, Outbox) = (folder, database, writer, outbox);

    public SqliteDatabase Database { get; }

    public GroupCommitWriter Writer { get; }

    public OutboxStore Outbox { get; }

    /// <summary>A fresh, migrated database whose outbox stamps rows with <paramref name="time"/>.</summary>
    public static async Task<TemporaryUserDatabase> CreateAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Path.GetTempPath(), "useraudit-tests", $"users-{Guid.NewGuid():N}");
        var database = new SqliteDatabase(new StorageOptions { DataDirectory = folder }, "users.db");
        await database.MigrateAsync(UserStore.Migrations, cancellationToken);
        var writer = new GroupCommitWriter(database, NullLogger<GroupCommitWriter>.Instance);
        return new TemporaryUserDatabase(folder, database, writer, new OutboxStore(database, writer, time));
    }

    /// <summary>Idempotency keys whose request hashes are keyed with 32 × <paramref name="secret"/>.</summary>
    public IdempotencyKeys Keys(char secret, TimeProvider time) =>
        new(Database, Writer, Options.Create(new IdempotencyOptions { RequestHashKey = new string(secret, 32) }), time);

    /// <summary>The user store over this database.</summary>
    public UserStore Users(IdempotencyKeys keys) => new(Database, Writer, Outbox, new OutboxSignal(), keys);

    public async ValueTask DisposeAsync()
    {
        await Writer.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
