using AuditService.Retention;
using AuditService.Store;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using UserAudit.ServiceDefaults.Storage;
using Xunit;

namespace UserAudit.Tests.AuditApi;

/// <summary>Retention against a real, temporary SQLite store.</summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "useraudit-tests", $"retention-{Guid.NewGuid():N}");
    private AuditEventStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var database = new SqliteDatabase(new StorageOptions { DataDirectory = _directory }, "audit.db");
        await database.MigrateAsync(AuditEventStore.Migrations, Ct);
        _store = new AuditEventStore(database);
    }

    [Fact]
    public async Task Events_received_before_the_retention_period_are_deleted_and_newer_ones_kept()
    {
        // More expired rows than one delete batch, to cover the batching.
        var expired = Enumerable.Range(0, 5_001).Select(_ => Record(Now - TimeSpan.FromDays(31))).ToList();
        var kept = new[] { Record(Now - TimeSpan.FromDays(29)), Record(Now) };
        await _store.InsertAsync([.. expired, .. kept], Ct);
        var retention = new RetentionService(_store, Options.Create(new RetentionOptions { Period = TimeSpan.FromDays(30) }),
            new FixedTime(Now), NullLogger<RetentionService>.Instance);

        var deleted = await retention.PurgeAsync(Ct);
        var again = await retention.PurgeAsync(Ct);

        Assert.Equal(5_001, deleted);
        Assert.Equal(0, again);
        var left = await _store.QueryAsync(new AuditQuery(Limit: 10), Ct);
        Assert.Equal(kept.Select(r => r.Id).Reverse(), left.Select(e => e.Record.Id));
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    private static AuditRecord Record(DateTimeOffset receivedAt) => new(
        "urn:useraudit-tests:retention", Guid.NewGuid().ToString(), "org.useraudit.tests.retained.v1", "1.0", null, receivedAt,
        null, null, new Dictionary<string, string>(), null, null, null, receivedAt);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
