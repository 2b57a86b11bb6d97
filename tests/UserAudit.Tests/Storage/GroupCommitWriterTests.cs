using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using UserAudit.ServiceDefaults.Storage;
using UserService.Storage;
using Xunit;

namespace UserAudit.Tests.Storage;

/// <summary>
/// UserService's group-commit writer on a real database: writes queued while a batch runs share the
/// next transaction, each in its own savepoint, and no caller hears of its write before the commit.
/// Each test holds the writer on a first write until it has queued the writes it needs in one batch.
/// </summary>
public sealed class GroupCommitWriterTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "useraudit-tests", $"writer-{Guid.NewGuid():N}");
    private SqliteDatabase _database = null!;
    private GroupCommitWriter _writer = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = new SqliteDatabase(new StorageOptions { DataDirectory = _folder }, "writer.db");
        await _database.MigrateAsync(["CREATE TABLE items (id TEXT PRIMARY KEY) WITHOUT ROWID"], Ct);
        _writer = new GroupCommitWriter(_database, NullLogger<GroupCommitWriter>.Instance);
    }

    [Fact]
    public async Task A_failing_write_is_undone_alone_and_the_rest_of_its_batch_commits()
    {
        var (blocker, release) = await HoldTheWriterAsync();
        var first = _writer.WriteAsync(scope => Insert(scope, "first"), Ct);
        var failing = _writer.WriteAsync<bool>(scope =>
        {
            Insert(scope, "failing");
            throw new InvalidOperationException("this write fails after its insert");
        }, Ct);
        var seenFromOutside = true;
        var last = _writer.WriteAsync(scope =>
        {
            // Same transaction as the first write: visible here, not yet to another connection.
            seenFromOutside = ExistsOutside("first");
            return Exists(scope, "first") && Insert(scope, "last");
        }, Ct);
        release.Set();
        await blocker;

        Assert.True(await first);
        Assert.True(await last.WaitAsync(Patience, Ct));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => failing.WaitAsync(Patience, Ct));
        Assert.Equal("this write fails after its insert", error.Message);
        Assert.False(seenFromOutside);
        Assert.True(ExistsOutside("first"));
        Assert.True(ExistsOutside("last"));
        Assert.False(ExistsOutside("failing"));
    }

    [Fact]
    public async Task Callers_complete_only_after_their_batch_committed()
    {
        var (blocker, release) = await HoldTheWriterAsync();
        var first = _writer.WriteAsync(scope => Insert(scope, "early"), Ct);
        bool? firstCompletedBeforeCommit = null;
        var second = _writer.WriteAsync(scope =>
        {
            firstCompletedBeforeCommit = first.IsCompleted;
            return Insert(scope, "late");
        }, Ct);
        release.Set();
        await blocker;

        Assert.True(await first.WaitAsync(Patience, Ct));
        // The moment a caller's task completes, any other connection sees its write.
        Assert.True(ExistsOutside("early"));
        Assert.True(await second.WaitAsync(Patience, Ct));
        Assert.False(firstCompletedBeforeCommit);
    }

    [Fact]
    public async Task A_write_cancelled_before_it_runs_stores_nothing_and_never_runs()
    {
        var (blocker, release) = await HoldTheWriterAsync();
        using var cancel = new CancellationTokenSource();
        var ran = false;
        var cancelled = _writer.WriteAsync(scope =>
        {
            ran = true;
            return Insert(scope, "cancelled");
        }, cancel.Token);
        var after = _writer.WriteAsync(scope => Insert(scope, "after"), Ct);
        await cancel.CancelAsync();
        release.Set();
        await blocker;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Patience, Ct));
        Assert.True(await after.WaitAsync(Patience, Ct));
        Assert.False(ran);
        Assert.False(ExistsOutside("cancelled"));
        Assert.True(ExistsOutside("after"));
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    // A write that keeps the writer busy until released: what is queued meanwhile forms the next batch.
    private async Task<(Task<bool> Blocker, ManualResetEventSlim Release)> HoldTheWriterAsync()
    {
        var release = new ManualResetEventSlim();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = _writer.WriteAsync(scope =>
        {
            started.SetResult();
            return release.Wait(Patience);
        }, Ct);
        await started.Task.WaitAsync(Patience, Ct);
        return (blocker, release);
    }

    private static bool Insert(WriteScope scope, string id)
    {
        var command = scope.Command("INSERT INTO items (id) VALUES (@id)");
        command.AddParameter("@id", id);
        return command.ExecuteNonQuery() == 1;
    }

    private static bool Exists(WriteScope scope, string id)
    {
        var command = scope.Command("SELECT count(*) FROM items WHERE id = @id");
        command.AddParameter("@id", id);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    private bool ExistsOutside(string id)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _database.FilePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM items WHERE id = @id";
        command.AddParameter("@id", id);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }
}
