using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using AuditService.Ingestion;
using AuditService.Store;
using AuditService.Streaming;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UserAudit.CloudEvents;
using UserAudit.ServiceDefaults.Storage;
using UserAudit.Tests.Infrastructure;
using UserAudit.Tests.Integrity;
using Xunit;

namespace UserAudit.Tests.Ingestion;

/// <summary>
/// A copy of a stored (source, id): a duplicate when its content is the same (trace context and
/// how it arrived are not content, and JSON data is compared minified), a conflict otherwise, which
/// keeps the stored event and is recorded, counted and logged. On both providers: PostgreSQL's batch
/// decides duplicate or conflict in one lookup, SQLite's row by row.
/// </summary>
public sealed class ConflictTests(TestPostgres postgres)
{
    private static readonly JsonEventFormatter Formatter = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task The_same_event_again_is_a_duplicate_even_pretty_printed_with_another_trace_and_arriving_another_way(StorageProvider provider)
    {
        await using var store = await TemporaryAuditStore.CreateAsync(provider, postgres, Ct);
        var first = Event("""{"id":"u-1","changedFields":["name"]}""");
        var again = Event("""
            {
              "id": "u-1",
              "changedFields": [ "name" ]
            }
            """, first.Id);
        again.SetTraceContext(new System.Diagnostics.ActivityContext(System.Diagnostics.ActivityTraceId.CreateRandom(),
            System.Diagnostics.ActivitySpanId.CreateRandom(), System.Diagnostics.ActivityTraceFlags.Recorded));

        await store.Store.InsertAsync([AuditRecord.From(first, Formatter, new KafkaCoordinates("audit", 0, 1), store.Time.GetUtcNow())], Ct);
        var result = await store.Store.InsertAsync([AuditRecord.From(again, Formatter, null, store.Time.GetUtcNow().AddHours(1), "sender")], Ct);

        Assert.Equal(AuditWriteOutcome.Duplicate, Assert.Single(result.Outcomes));
        Assert.Empty((await store.Store.ListConflictsAsync(null, null, 10, AuditQuery.DefaultMaxBytes, Ct)).Items);
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task A_copy_with_other_content_is_a_conflict_recorded_once_with_a_count_and_the_stored_event_stays(StorageProvider provider)
    {
        await using var store = await TemporaryAuditStore.CreateAsync(provider, postgres, Ct);
        var original = Event("""{"id":"u-1","changedFields":["name"]}""");
        var forged = Event("""{"id":"u-1","changedFields":["password"]}""", original.Id);
        await store.Store.InsertAsync([AuditRecord.From(original, Formatter, null, store.Time.GetUtcNow(), "sender")], Ct);

        var first = await store.Store.InsertAsync([AuditRecord.From(forged, Formatter, new KafkaCoordinates("audit", 2, 40), store.Time.GetUtcNow())], Ct);
        var second = await store.Store.InsertAsync([AuditRecord.From(forged, Formatter, new KafkaCoordinates("audit", 2, 41), store.Time.GetUtcNow())], Ct);

        Assert.Equal(AuditWriteOutcome.Conflict, Assert.Single(first.Outcomes));
        Assert.Equal(AuditWriteOutcome.Conflict, Assert.Single(second.Outcomes));
        var conflict = Assert.Single((await store.Store.ListConflictsAsync(original.Source!.OriginalString, null, 10, AuditQuery.DefaultMaxBytes, Ct)).Items);
        Assert.Equal((original.Id, 2L, 40L), (conflict.Id, conflict.Copies, conflict.Kafka!.Offset));
        Assert.NotEqual(conflict.StoredContentHash, conflict.CopyContentHash);
        Assert.Contains("password", JsonDocument.Parse(conflict.Copy).RootElement.GetProperty("data").GetRawText(), StringComparison.Ordinal);
        var stored = await store.Store.FindAsync(original.Source.OriginalString, original.Id!, Ct);
        Assert.Equal("""{"id":"u-1","changedFields":["name"]}""", stored!.Record.DataJson);
        Assert.True((await store.Verifier.VerifyAsync(null, null, Ct)).Intact);
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task The_writer_counts_a_conflict_in_its_metric_and_logs_a_warning_without_the_data(StorageProvider provider)
    {
        await using var store = await TemporaryAuditStore.CreateAsync(provider, postgres, Ct);
        var logs = new ConcurrentQueue<(LogLevel Level, string Message)>();
        await using var services = new ServiceCollection().AddMetrics()
            .AddLogging(logging => logging.AddProvider(new Capture(logs))).BuildServiceProvider();
        using var metrics = new IngestionMetrics(services.GetRequiredService<IMeterFactory>());
        var writer = new AuditEventWriter(store.Store, new AuditEventLog(services.GetRequiredService<ILoggerFactory>()), metrics, store.Time, new AuditEventSignal());
        var measured = new ConcurrentBag<(long Value, string? Path)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "useraudit.audit.events.conflicts" && instrument.Meter.Scope == services.GetRequiredService<IMeterFactory>())
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            measured.Add((value, tags.ToArray().FirstOrDefault(t => t.Key == "path").Value as string)));
        listener.Start();
        var original = Event("""{"secret":"kept out of logs"}""");

        await writer.WriteAsync([new IngestedEvent(AuditRecord.From(original, Formatter, null, store.Time.GetUtcNow(), "sender"), null)], Ct);
        var result = await writer.WriteAsync(
            [new IngestedEvent(AuditRecord.From(Event("""{"secret":"another"}""", original.Id), Formatter, null, store.Time.GetUtcNow(), "sender"), null)], Ct);

        Assert.Equal(1, result.Conflicts);
        Assert.Equal((1L, "http"), Assert.Single(measured));
        var warning = Assert.Single(logs, l => l.Level == LogLevel.Warning);
        Assert.Contains(original.Id!, warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("another", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs, l => l.Message.Contains("kept out of logs", StringComparison.Ordinal));
    }

    /// <summary>
    /// The store writes a batch on PostgreSQL with one binary COPY after one lookup of the
    /// identities already stored, and on SQLite row by row: the same batches must have the same
    /// outcomes on both, repeats inside a batch included, and leave an intact chain.
    /// </summary>
    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task A_batch_with_repeats_and_conflicts_has_the_same_outcomes_and_an_intact_chain_on_both_providers(StorageProvider provider)
    {
        await using var store = await TemporaryAuditStore.CreateAsync(provider, postgres, Ct);
        var (a, b, c, d) = (store.Record(), store.Record(), store.Record(), store.Record());
        var otherB = b with { DataJson = """{"n":2}""" };
        var otherA = a with { DataJson = """{"n":3}""" };
        IReadOnlyList<AuditRecord>[] batches = [[a, b, a, c, otherB], [c, d, otherA, d], [otherB]];
        AuditWriteOutcome[][] expected =
        [
            [AuditWriteOutcome.Stored, AuditWriteOutcome.Stored, AuditWriteOutcome.Duplicate, AuditWriteOutcome.Stored, AuditWriteOutcome.Conflict],
            [AuditWriteOutcome.Duplicate, AuditWriteOutcome.Stored, AuditWriteOutcome.Conflict, AuditWriteOutcome.Duplicate],
            [AuditWriteOutcome.Conflict],
        ];

        for (var i = 0; i < batches.Length; i++)
        {
            Assert.Equal(expected[i], (await store.Store.InsertAsync(batches[i], Ct)).Outcomes);
        }

        var stored = (await store.Store.QueryAsync(new AuditQuery(Limit: 10), Ct)).Items;
        Assert.Equal([d.Id, c.Id, b.Id, a.Id], stored.Select(e => e.Record.Id));
        Assert.Equal([4L, 3L, 2L, 1L], stored.Select(e => e.Sequence));
        Assert.Equal("""{"n":1}""", stored.Single(e => e.Record.Id == b.Id).Record.DataJson);
        var conflicts = (await store.Store.ListConflictsAsync(null, null, 10, AuditQuery.DefaultMaxBytes, Ct)).Items;
        Assert.Equal(new[] { (a.Id, 1L), (b.Id, 2L) }.Order(), conflicts.Select(x => (x.Id, x.Copies)).Order());
        var verification = await store.Verifier.VerifyAsync(null, null, Ct);
        Assert.True(verification.Intact, verification.FirstBreak?.Detail);
        Assert.Equal((4L, 4L), (verification.RowsChecked, verification.HeadPosition));
    }

    private static CloudEvent Event(string json, string? id = null) => new()
    {
        Id = id ?? Guid.NewGuid().ToString(),
        Source = new Uri("urn:useraudit-tests:conflicts"),
        Type = "org.useraudit.user.updated.v1",
        Subject = "u-1",
        Time = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero),
        DataContentType = "application/json",
        Data = JsonDocument.Parse(json).RootElement.Clone(),
    };

    private sealed class Capture(ConcurrentQueue<(LogLevel, string)> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((logLevel, formatter(state, exception)));

        public void Dispose()
        {
        }
    }
}
