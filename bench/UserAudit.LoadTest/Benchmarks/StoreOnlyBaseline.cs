using System.Diagnostics;
using AuditService.Store;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>
/// AuditService's store alone: the same rows through <see cref="AuditEventStore.InsertAsync"/> in
/// batches of the ingestion's size, into a fresh database, with no Kafka, no decoding and no host.
/// Between the raw insert and the drain, it says which side of the store a gap is on.
/// </summary>
public static class StoreOnlyBaseline
{
    /// <summary>Events per second stored by <see cref="AuditEventStore"/> alone.</summary>
    public static async Task<double> MeasureAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        return await RawInsertBaseline.WithFreshDatabaseAsync("useraudit-store-only-", async database =>
        {
            var store = new AuditEventStore(database);
            var batches = records.Chunk(RawInsertBaseline.BatchSize).ToList();
            var started = Stopwatch.GetTimestamp();
            foreach (var batch in batches)
            {
                await store.InsertAsync(batch, cancellationToken);
            }

            return records.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
        }, cancellationToken);
    }
}
