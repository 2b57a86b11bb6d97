using AuditService.Store;
using Microsoft.Data.Sqlite;
using UserAudit.ServiceDefaults.Storage;
using Xunit;

namespace UserAudit.Tests.Ingestion;

/// <summary>Replicas open one database file: they migrate it together and write it together.</summary>
public sealed class SharedDatabaseTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "useraudit-tests", Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Replicas_migrating_one_file_at_the_same_moment_all_start()
    {
        var replicas = Enumerable.Range(0, 4).Select(_ => new SqliteDatabase(new StorageOptions { DataDirectory = _folder }, "audit.db")).ToList();

        await Task.WhenAll(replicas.Select(r => Task.Run(() => r.MigrateAsync(AuditEventStore.Migrations, Ct), Ct)));

        await using var connection = await replicas[0].OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        Assert.Equal((long)AuditEventStore.Migrations.Count, await command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task Replicas_writing_the_same_events_at_once_store_each_once()
    {
        var replicas = Enumerable.Range(0, 2).Select(_ => new SqliteDatabase(new StorageOptions { DataDirectory = _folder }, "audit.db")).ToList();
        await replicas[0].MigrateAsync(AuditEventStore.Migrations, Ct);
        var records = Enumerable.Range(0, 2_000).Select(i => new AuditRecord(
            "urn:test", $"event-{i}", "org.useraudit.tests.v1", "1.0", "shared", null, null, null,
            new Dictionary<string, string>(), null, null, null, DateTimeOffset.UtcNow)).ToList();

        // Each replica writes every event in batches, interleaved with the other's transactions.
        var results = await Task.WhenAll(replicas.Select(r => Task.Run(async () =>
        {
            var store = new AuditEventStore(r);
            var (inserted, duplicates) = (0, 0);
            foreach (var batch in records.Chunk(100))
            {
                var result = await store.InsertAsync(batch, Ct);
                inserted += result.Stored;
                duplicates += result.Duplicates;
            }

            return (inserted, duplicates);
        }, Ct)));

        Assert.Equal(records.Count, results.Sum(r => r.inserted));
        Assert.Equal(records.Count, results.Sum(r => r.duplicates));
        await using var connection = await replicas[1].OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM audit_events";
        Assert.Equal((long)records.Count, await command.ExecuteScalarAsync(Ct));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
