using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using UserAudit.ServiceDefaults.Storage;
using UserAudit.Tests.Infrastructure;
using UserService.Storage;
using Xunit;

namespace UserAudit.Tests.Storage;

/// <summary>
/// UserService's group-commit writer on a real database of each provider: writes queued while a
/// batch runs share the next transaction, each in its own savepoint, no caller hears of its write
/// before the commit, and a statement deferred to the write's next round trip (PostgreSQL) fails
/// its own write alone. Each test holds the writer on a first write until it has queued the writes
/// it needs in one batch.
/// </summary>
public sealed class GroupCommitWriterTests(TestPostgres postgres) : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "useraudit-tests", $"writer-{Guid.NewGuid():N}");
    private ServiceDatabase _database = null!;
    private NpgsqlDataSource? _dataSource;
    private GroupCommitWriter _writer = null!;

    // Releases the connections HoldTheWriterAsync holds for the whole test (all but one, on PostgreSQL).
    private readonly ManualResetEventSlim _parked = new();

    /// <summary>Every test runs on both providers.</summary>
    public static TheoryData<StorageProvider> Providers => new() { StorageProvider.Sqlite, StorageProvider.Postgres };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Failing_writes_are_undone_alone_and_the_rest_of_their_batch_commits(StorageProvider provider)
    {
        await StartAsync(provider);
        await _writer.WriteAsync(scope => Insert(scope, "taken"), Ct);
        var (blocker, release) = await HoldTheWriterAsync();
        var first = _writer.WriteAsync(scope => Insert(scope, "first"), Ct);
        var failing = _writer.WriteAsync<bool>(scope =>
        {
            Insert(scope, "failing");
            throw new InvalidOperationException("this write fails after its insert");
        }, Ct);
        // A statement deferred to the write's end (PostgreSQL) fails there, and still only its own write.
        var ranPastTheCollision = false;
        var colliding = _writer.WriteAsync(scope =>
        {
            Insert(scope, "colliding");
            Insert(scope, "taken");
            ranPastTheCollision = true;
            return true;
        }, Ct);
        var seenFromOutside = true;
        var last = _writer.WriteAsync(scope =>
        {
            // Same transaction as the first write: visible here, not yet to another connection.
            seenFromOutside = ExistsOutside("first");
            return Exists(scope, "first") && Insert(scope, "last") && Exists(scope, "last");
        }, Ct);
        release.Set();
        await blocker;

        Assert.True(await first);
        Assert.True(await last.WaitAsync(Patience, Ct));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => failing.WaitAsync(Patience, Ct));
        Assert.Equal("this write fails after its insert", error.Message);
        var collision = await Assert.ThrowsAnyAsync<Exception>(() => colliding.WaitAsync(Patience, Ct));
        Assert.True(SqlDialect.IsUniqueViolation(collision), collision.ToString());
        // SQLite runs each statement when called; PostgreSQL sends the deferred insert at the write's end.
        Assert.Equal(provider == StorageProvider.Postgres, ranPastTheCollision);
        Assert.False(seenFromOutside);
        Assert.True(ExistsOutside("first"));
        Assert.True(ExistsOutside("last"));
        Assert.False(ExistsOutside("failing"));
        Assert.False(ExistsOutside("colliding"));
    }

    // On a full disk SQLite may end the whole transaction in the middle of a batch (a statement that
    // spills pages to the WAL fails with SQLITE_FULL). Every write of the batch then fails with that
    // error, which the services answer with 503, not with the undo's own error (a 500).
    [Fact]
    public async Task When_sqlite_ends_the_transaction_mid_batch_every_write_fails_with_its_error()
    {
        await StartAsync(StorageProvider.Sqlite);
        var (blocker, release) = await HoldTheWriterAsync();
        var before = _writer.WriteAsync(scope => Insert(scope, "before"), Ct);
        var full = _writer.WriteAsync<bool>(scope =>
        {
            Insert(scope, "full");
            // What SQLITE_FULL does to such a statement: the transaction is gone, the statement fails.
            scope.Command("ROLLBACK").ExecuteNonQuery();
            throw new SqliteException("database or disk is full", 13);
        }, Ct);
        var after = _writer.WriteAsync(scope => Insert(scope, "after"), Ct);
        release.Set();
        await blocker;

        foreach (var write in new[] { before, full, after })
        {
            var error = await Assert.ThrowsAsync<SqliteException>(() => write.WaitAsync(Patience, Ct));
            Assert.Equal(13, error.SqliteErrorCode);
        }

        Assert.False(ExistsOutside("before"));
        Assert.False(ExistsOutside("full"));
        Assert.False(ExistsOutside("after"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Callers_complete_only_after_their_batch_committed(StorageProvider provider)
    {
        await StartAsync(provider);
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

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_write_cancelled_before_it_runs_stores_nothing_and_never_runs(StorageProvider provider)
    {
        await StartAsync(provider);
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

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_write_reads_what_it_deferred_and_counts_what_it_ran(StorageProvider provider)
    {
        await StartAsync(provider);

        var (seen, deleted) = await _writer.WriteAsync(scope =>
        {
            Insert(scope, "one");
            Insert(scope, "two");
            var seen = Exists(scope, "one") && Exists(scope, "two");
            var delete = scope.Command("DELETE FROM items WHERE id IN (@a, @b)");
            delete.AddParameter("@a", "one");
            delete.AddParameter("@b", "two");
            return (seen, delete.ExecuteNonQuery());
        }, Ct);

        Assert.True(seen);
        Assert.Equal(2, deleted);
        Assert.False(ExistsOutside("one"));
    }

    [Fact]
    public async Task A_write_commits_while_every_thread_pool_thread_is_busy()
    {
        // The writer runs on a thread of its own: a batch neither waits for a pool thread nor holds
        // one (on PostgreSQL eight connections once blocked pool threads in their round trips while
        // password hashes held the rest, and requests stalled for seconds). The callers' continuations
        // need the pool; the commit does not. SQLite: its connection opens without the pool, too.
        await StartAsync(StorageProvider.Sqlite);
        Assert.True(await _writer.WriteAsync(scope => Insert(scope, "warm"), Ct));
        // More blocked work items than threads the pool has or injects meanwhile: none is free.
        var busy = ThreadPool.ThreadCount + 64;
        using var release = new ManualResetEventSlim();
        using var ended = new CountdownEvent(busy);
        for (var i = 0; i < busy; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static gates =>
            {
                gates.Release.Wait(Patience);
                gates.Ended.Signal();
            }, (Release: release, Ended: ended), preferLocal: false);
        }

        Task<bool> write;
        bool committed;
        try
        {
            write = _writer.WriteAsync(scope => Insert(scope, "while busy"), Ct);
            committed = SpinWait.SpinUntil(() => ExistsOutside("while busy"), Patience);
        }
        finally
        {
            // Every queued item runs and ends before the gates are disposed.
            release.Set();
            ended.Wait(Patience, Ct);
        }

        Assert.True(ended.IsSet, "every blocking work item ended");
        Assert.True(committed, "the write committed while no pool thread was free");
        Assert.True(await write.WaitAsync(Patience, Ct));
    }

    public async ValueTask DisposeAsync()
    {
        _parked.Set();
        await _writer.DisposeAsync();
        _parked.Dispose();
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task StartAsync(StorageProvider provider)
    {
        if (provider == StorageProvider.Sqlite)
        {
            _database = new SqliteDatabase(new StorageOptions { DataDirectory = _folder }, "writer.db");
        }
        else
        {
            (_database, var dataSource) = await postgres.CreateDatabaseAsync("writer", Ct);
            _dataSource = dataSource;
        }

        await _database.MigrateAsync(new ServiceSchema("writer", ["CREATE TABLE items (id TEXT PRIMARY KEY) WITHOUT ROWID"], ["CREATE TABLE items (id text PRIMARY KEY)"]), Ct);
        _writer = new GroupCommitWriter(_database, NullLogger<GroupCommitWriter>.Instance);
    }

    // A write that keeps the writer busy until released: what is queued meanwhile forms the next batch.
    // On PostgreSQL every other connection of the writer is held first, for the rest of the test, so
    // that no idle one takes the queued writes before the held one is released.
    private async Task<(Task<bool> Blocker, ManualResetEventSlim Release)> HoldTheWriterAsync()
    {
        for (var i = 1; i < (_database.Provider == StorageProvider.Postgres ? GroupCommitWriter.PostgresConnections : 1); i++)
        {
            _ = await HoldOneConnectionAsync(_parked);
        }

        var release = new ManualResetEventSlim();
        return (await HoldOneConnectionAsync(release), release);
    }

    // Queues a write that blocks its connection's thread until released, and waits until it runs.
    private async Task<Task<bool>> HoldOneConnectionAsync(ManualResetEventSlim release)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = _writer.WriteAsync(scope =>
        {
            started.SetResult();
            return release.Wait(Patience);
        }, Ct);
        await started.Task.WaitAsync(Patience, Ct);
        return blocker;
    }

    private static bool Insert(WriteScope scope, string id)
    {
        var command = scope.Command("INSERT INTO items (id) VALUES (@id)");
        command.AddParameter("@id", id);
        command.Defer();
        return true;
    }

    private static bool Exists(WriteScope scope, string id)
    {
        var command = scope.Command("SELECT count(*) FROM items WHERE id = @id");
        command.AddParameter("@id", id);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    // On a connection of its own, synchronously: one check runs inside a write, on the writer's thread.
    private bool ExistsOutside(string id)
    {
        using var connection = _dataSource is not null
            ? (DbConnection)_dataSource.OpenConnection()
            : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = ((SqliteDatabase)_database).FilePath, Pooling = false }.ToString());
        if (connection.State != ConnectionState.Open)
        {
            connection.Open();
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM items WHERE id = @id";
        command.AddParameter("@id", id);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }
}
