using AuditService.Ingestion;
using AuditService.Store;
using Microsoft.Extensions.Options;
using Npgsql;
using UserAudit.ServiceDefaults.Resilience;
using UserAudit.ServiceDefaults.Storage;

namespace AuditService.Streaming;

/// <summary>
/// Wakes this replica's live streams when any replica stores events in the shared PostgreSQL
/// database: the store notifies <see cref="AuditEventStore.StoredChannel"/> in every transaction
/// that stores something (delivered at commit), and this service listens on it. Without it, a
/// stream would learn of other replicas' events only at its <see cref="StreamOptions.RecheckInterval"/>.
/// A broken connection is listened on again with back-off, and every new listening looks once,
/// so a notification missed meanwhile costs latency, never an event. On SQLite it does nothing.
/// </summary>
public sealed class StoredEventListener(
    ServiceDatabase database, AuditEventSignal signal, IOptions<IngestionOptions> options, TimeProvider time, ILogger<StoredEventListener> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (database is not PostgresDatabase postgres)
        {
            return;
        }

        var retry = TransientRetry.Create("listen", options.Value.MaxRetryDelay, static e => e is NpgsqlException, logger, time);
        try
        {
            await retry.ExecuteAsync(async ct => await postgres.ListenAsync(AuditEventStore.StoredChannel, signal.Notify, ct), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
