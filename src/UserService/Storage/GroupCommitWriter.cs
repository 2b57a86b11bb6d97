using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.ExceptionServices;
using UserAudit.ServiceDefaults.Storage;

namespace UserService.Storage;

/// <summary>
/// Every write of UserService goes through one connection, in batches: the writes waiting when the
/// previous batch ends run one after another in a single transaction (each in its own savepoint, so
/// one write's error undoes only that write), and each caller's task completes only after the commit.
/// A change and its outbox rows are still one write, so they are stored together or not at all.
/// </summary>
/// <remarks>
/// On PostgreSQL the writer keeps <see cref="PostgresConnections"/> connections, each taking the next
/// batch from the queue, and replicas' batches run at the same time too: a
/// write that PostgreSQL picks as a deadlock's victim (two batches locking the same users in
/// opposite orders) is undone alone and runs again in the next batch, after this one's commit
/// released its locks.
/// <para/>
/// Why: SQLite takes one writer at a time. With a pooled connection per request, 32 concurrent
/// renames queued on the write lock in SQLite's busy handler, which sleeps between tries, and every
/// request compiled its statements again: UserService kept less than one core busy at 1,650
/// renames/s, 153 µs of each rename's CPU in SQLite. One writer never waits for the lock, keeps its
/// statements prepared, and writes the WAL once per batch instead of once per rename: 4,430
/// renames/s, 35 µs in SQLite (docs/benchmarks.md, "Against the peers"). Under light load a batch
/// holds one write, so nothing waits for a batch to fill.
/// </remarks>
public sealed partial class GroupCommitWriter : IAsyncDisposable
{
    /// <summary>Most writes in one transaction: bounds how long one commit keeps later callers waiting.</summary>
    public const int MaxBatch = 256;

    /// <summary>How many times a write is run when the database keeps choosing it as a deadlock's victim.</summary>
    public const int MaxAttempts = 5;

    private readonly ServiceDatabase _database;
    private readonly ILogger<GroupCommitWriter> _logger;
    /// <summary>
    /// Writer connections on PostgreSQL, each running batches of its own. SQLite has one writer at a
    /// time, so one connection; PostgreSQL's row locks let batches run side by side, and one
    /// connection would leave every write waiting on the round trips of the writes before it.
    /// </summary>
    public const int PostgresConnections = 8;

    private readonly BlockingCollection<QueuedWrite> _queue = [];
    private readonly Lazy<Task> _loop;

    /// <summary>Creates the writer; its connection opens with the first write.</summary>
    public GroupCommitWriter(ServiceDatabase database, ILogger<GroupCommitWriter> logger)
    {
        (_database, _logger) = (database, logger);
        var connections = database.Provider == StorageProvider.Postgres ? PostgresConnections : 1;
        // A thread of its own per connection, never the thread pool's: a batch blocks its thread for
        // every statement and the commit (synchronous calls; on PostgreSQL, round trips), and eight
        // of them on pool threads, beside password hashes that hold a core each, left requests'
        // continuations queued until the pool injected more threads.
        _loop = new Lazy<Task>(
            () => Task.WhenAll(Enumerable.Range(0, connections)
                .Select(_ => Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in the next batch's transaction and returns its result once that
    /// transaction committed. The work runs on the writer's thread in the caller's execution context,
    /// must be synchronous and must not wait for anything but the database.
    /// </summary>
    /// <exception cref="DbException">The work or the commit failed; nothing of the work was stored.</exception>
    /// <exception cref="OperationCanceledException">Cancelled before the work ran; nothing was stored.</exception>
    public async Task<T> WriteAsync<T>(Func<WriteScope, T> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var write = new QueuedWrite(scope => work(scope), cancellationToken);
        _ = _loop.Value;
        ObjectDisposedException.ThrowIf(!TryQueue(write), this);

        return (T)(await write.Task)!;
    }

    /// <summary>
    /// Runs <paramref name="delete"/>, a DELETE of at most <c>@limit</c> rows with one more parameter
    /// <paramref name="name"/>, as writes of <paramref name="perWrite"/> rows until one deletes fewer,
    /// so that a large backlog never holds up the writes queued behind it; returns how many rows went.
    /// </summary>
    public async Task<int> DeleteInChunksAsync(string delete, string name, object value, int perWrite, CancellationToken cancellationToken)
    {
        var total = 0;
        int deleted;
        do
        {
            deleted = await WriteAsync(scope =>
            {
                var command = scope.Command(delete);
                command.AddParameter(name, value);
                command.AddParameter("@limit", perWrite);
                return command.ExecuteNonQuery();
            }, cancellationToken);
            total += deleted;
        }
        while (deleted == perWrite);

        return total;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _queue.CompleteAdding();
        if (_loop.IsValueCreated)
        {
            await _loop.Value;
        }

        _queue.Dispose();
    }

    private bool TryQueue(QueuedWrite write)
    {
        try
        {
            return _queue.TryAdd(write);
        }
        catch (InvalidOperationException)
        {
            return false; // disposed: adding completed
        }
    }

    // On the connection's own thread: blocks it waiting for writes and in the database, nothing else.
    private void Run()
    {
        DbConnection? connection = null;
        WriteScope? scope = null;
        var batch = new List<QueuedWrite>(MaxBatch);
        while (_queue.TryTake(out var first, Timeout.Infinite))
        {
            batch.Add(first);
            while (batch.Count < MaxBatch && _queue.TryTake(out var write))
            {
                batch.Add(write);
            }

            try
            {
                if (connection is null)
                {
                    // Once per connection (and after a failed batch): the open's async calls may
                    // continue on the pool, which this thread does not hold up.
                    connection = _database.OpenConnectionAsync().GetAwaiter().GetResult();
                    scope = new WriteScope(connection);
                }

                Execute(connection, scope!, batch);
            }
            catch (Exception ex)
            {
                // Nothing of this batch was committed: every caller still waiting learns why. The
                // connection starts afresh, so no half-finished transaction or statement survives.
                foreach (var write in batch)
                {
                    write.Fail(ex);
                }

                LogBatchFailed(_logger, ex, batch.Count);
                scope?.Forget();
                scope = null;
                connection?.Dispose();
                connection = null;
            }

            batch.Clear();
        }

        scope?.Forget();
        connection?.Dispose();
    }

    private void Execute(DbConnection connection, WriteScope scope, List<QueuedWrite> batch)
    {
        using var transaction = connection.BeginTransaction();
        List<QueuedWrite>? again = null;
        scope.Transaction = transaction;
        try
        {
            foreach (var write in batch)
            {
                if (write.Cancelled)
                {
                    write.Cancel();
                    continue;
                }

                scope.BeginWrite();
                try
                {
                    write.Run(scope);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    if (SqlDialect.IsConflict(ex) && write.Attempts < MaxAttempts)
                    {
                        (again ??= []).Add(write);
                    }
                    else
                    {
                        write.Fail(ex);
                    }

                    // Undo this write only. If the database already ended the transaction (SQLite
                    // may, on a full disk), this throws and the whole batch fails: nothing was
                    // committed. It fails with the database's error, which callers answer with 503,
                    // not with the undo's (a 500).
                    try
                    {
                        scope.UndoWrite();
                    }
                    catch (Exception) when (ex is DbException)
                    {
                        ExceptionDispatchInfo.Throw(ex);
                    }
                }
            }

            transaction.Commit();
        }
        finally
        {
            scope.Transaction = null;
        }

        foreach (var write in batch)
        {
            if (again?.Contains(write) == true)
            {
                write.RunAgain();
                if (!TryQueue(write))
                {
                    write.Fail(new ObjectDisposedException(nameof(GroupCommitWriter)));
                }
            }
            else if (!write.Failed)
            {
                write.Committed();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} write(s) failed; none of it was stored")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);
}
