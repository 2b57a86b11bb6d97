using System.Data.Common;
using UserAudit.ServiceDefaults.Storage;

namespace UserService.Outbox;

/// <summary>
/// Which replica relays the outbox: one at a time, so events leave in the order they were written
/// and none twice. On PostgreSQL the relay is whoever holds a session advisory lock on a connection
/// of its own; the lock dies with that session, so when the holder dies (SIGKILL included: the
/// server sees the socket close) another replica takes the lock within <see cref="OutboxOptions.PollInterval"/>
/// and publishes what the dead one had not marked delivered. SQLite runs one UserService, which
/// always holds the lease.
/// </summary>
public sealed partial class RelayLease(ServiceDatabase database, ILogger<RelayLease> logger) : IAsyncDisposable
{
    /// <summary>The advisory lock's key: any 64-bit number, the same in every replica and version.</summary>
    public const long LockKey = 0x55_41_52_65_6c_61_79_31; // "UARelay1"

    private DbConnection? _session;

    /// <summary>
    /// Whether this replica holds the lease now, taking it when it is free. A held lease is checked
    /// with one round trip on its session, so a replica whose session broke stops relaying before its
    /// next round instead of racing the replica that took over.
    /// </summary>
    public async ValueTask<bool> HoldAsync(CancellationToken cancellationToken)
    {
        if (database.Provider != StorageProvider.Postgres)
        {
            return true;
        }

        if (_session is not null)
        {
            try
            {
                await using var check = _session.CreateCommand();
                check.CommandText = "SELECT 1";
                await check.ExecuteScalarAsync(cancellationToken);
                return true;
            }
            catch (DbException ex)
            {
                LogLost(logger, ex);
                await DropSessionAsync();
            }
        }

        var session = await database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var take = session.CreateCommand();
            take.CommandText = "SELECT pg_try_advisory_lock(@key)";
            take.AddParameter("@key", LockKey);
            if (await take.ExecuteScalarAsync(cancellationToken) is true)
            {
                _session = session;
                LogTaken(logger);
                return true;
            }
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }

        await session.DisposeAsync();
        return false;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_session is null)
        {
            return;
        }

        try
        {
            // Released at once for the next relay, rather than when the pooled session is reset.
            await using var release = _session.CreateCommand();
            release.CommandText = "SELECT pg_advisory_unlock(@key)";
            release.AddParameter("@key", LockKey);
            await release.ExecuteScalarAsync();
        }
        catch (DbException)
        {
            // The session is gone, and the lock with it.
        }

        await DropSessionAsync();
    }

    private async Task DropSessionAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
            _session = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "This replica relays the outbox now (it took the relay lease)")]
    private static partial void LogTaken(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This replica lost the relay lease with its database session; another replica may relay now")]
    private static partial void LogLost(ILogger logger, Exception exception);
}
