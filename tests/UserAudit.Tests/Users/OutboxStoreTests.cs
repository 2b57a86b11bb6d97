using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using UserAudit.CloudEvents;
using UserAudit.ServiceDefaults.Storage;
using UserAudit.Tests.Infrastructure;
using UserService.Outbox;
using UserService.Storage;
using UserService.Users;
using Xunit;

namespace UserAudit.Tests.Users;

/// <summary>
/// The relay's bookkeeping on both providers: a round's delivered rows leave the pending list in
/// one write (one statement on PostgreSQL, a statement per row on SQLite), failed rows stay with
/// their attempt and error recorded, and rows of other rounds are untouched.
/// </summary>
public sealed class OutboxStoreTests(TestPostgres postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task Delivered_rows_leave_the_pending_list_and_failed_ones_stay_with_their_error(StorageProvider provider)
    {
        var folder = Path.Combine(Path.GetTempPath(), "useraudit-tests", $"outbox-{Guid.NewGuid():N}");
        var (database, dispose) = provider == StorageProvider.Sqlite
            ? (new SqliteDatabase(new StorageOptions { DataDirectory = folder }, "users.db"), () => ValueTask.CompletedTask)
            : await PostgresAsync();
        try
        {
            await database.MigrateAsync(UserStore.Schema, Ct);
            await using var writer = new GroupCommitWriter(database, NullLogger<GroupCommitWriter>.Instance);
            var outbox = new OutboxStore(database, writer, new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero)));
            await writer.WriteAsync(scope =>
            {
                for (var i = 0; i < 5; i++)
                {
                    outbox.Add(scope, new OutboxMessage($"event-{i}", "org.useraudit.user.updated.v1", "user-1",
                        DateTimeOffset.UnixEpoch, "{}", null, null, AuthTypes.User, "admin-1"));
                }

                return true;
            }, Ct);
            var pending = await outbox.ReadPendingAsync(10, Ct);

            await outbox.CompleteAsync([pending[0].Sequence, pending[1].Sequence, pending[3].Sequence], [(pending[2].Sequence, "Local_MsgTimedOut")], Ct);
            var left = await outbox.ReadPendingAsync(10, Ct);
            var (count, _) = await outbox.PendingStatisticsAsync(Ct);

            Assert.Equal(["event-2", "event-4"], left.Select(p => p.Message.EventId));
            Assert.Equal([1, 0], left.Select(p => p.Attempts));
            Assert.Equal(2, count);
            Assert.Equal("Local_MsgTimedOut", await LastErrorAsync(database, pending[2].Sequence));
            Assert.Null(await LastErrorAsync(database, pending[4].Sequence));
        }
        finally
        {
            await dispose();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static async Task<string?> LastErrorAsync(ServiceDatabase database, long sequence)
    {
        await using var connection = await database.OpenConnectionAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT last_error FROM outbox WHERE seq = @seq";
        command.AddParameter("@seq", sequence);
        return await command.ExecuteScalarAsync(Ct) as string;
    }

    private async Task<(ServiceDatabase, Func<ValueTask>)> PostgresAsync()
    {
        var (database, dataSource) = await postgres.CreateDatabaseAsync("outbox_store", Ct);
        return (database, dataSource.DisposeAsync);
    }
}
