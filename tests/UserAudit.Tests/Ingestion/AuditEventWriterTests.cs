using System.Collections.Concurrent;
using System.Diagnostics;
using AuditService.Ingestion;
using AuditService.Store;
using AuditService.Streaming;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using UserAudit.ServiceDefaults.Storage;
using UserAudit.Tests.Infrastructure;
using UserAudit.Tests.Integrity;
using Xunit;

namespace UserAudit.Tests.Ingestion;

/// <summary>
/// The one writer both ingestion paths use: the HTTP path (no span of its own) and the Kafka path
/// (a process span per event, which gets an INSERT span of its own) are counted and logged alike,
/// on both providers.
/// </summary>
public sealed class AuditEventWriterTests(TestPostgres postgres) : IAsyncDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeLogCollector _logs = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task Stored_and_duplicate_events_are_counted_and_only_new_rows_are_logged(StorageProvider provider)
    {
        await using var store = await TemporaryAuditStore.CreateAsync(provider, postgres, Ct);
        using var metrics = new IngestionMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        using var stored = new MetricCollector<long>(metrics.Stored);
        using var duplicates = new MetricCollector<long>(metrics.Duplicates);
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(new FakeLoggerProvider(_logs)));
        var writer = new AuditEventWriter(store.Store, new AuditEventLog(loggers), metrics, TimeProvider.System, new AuditEventSignal());
        var (first, second, third) = (Record("first"), Record("second"), Record("third"));
        var inserts = new ConcurrentBag<Activity>();
        using var listener = ListenTo(inserts);
        // Two traces of their own, as two Kafka messages have; the HTTP batch runs under no span.
        using var processFirst = Processes.StartActivity("process first", ActivityKind.Consumer);
        Activity.Current = null;
        using var processThird = Processes.StartActivity("process third", ActivityKind.Consumer);
        Activity.Current = null;

        var httpBatch = await writer.WriteAsync([new IngestedEvent(first, Span: null), new IngestedEvent(second, Span: null)], Ct);
        // As the Kafka path hands them over: each event read at its offset, under its own process span.
        var kafkaBatch = await writer.WriteAsync([
            new IngestedEvent(first with { Kafka = new KafkaCoordinates("audit", 0, 10) }, processFirst),
            new IngestedEvent(third with { Kafka = new KafkaCoordinates("audit", 0, 11) }, processThird)], Ct);

        Assert.Equal([AuditWriteOutcome.Stored, AuditWriteOutcome.Stored], httpBatch.Outcomes);
        Assert.Equal([AuditWriteOutcome.Duplicate, AuditWriteOutcome.Stored], kafkaBatch.Outcomes);
        // One INSERT span under each Kafka event's own span, the duplicate's too: each event's trace shows the write.
        Assert.Equal(
            new[] { processFirst!.SpanId.ToHexString(), processThird!.SpanId.ToHexString() }.Order(),
            inserts.Where(i => i.ParentSpanId == processFirst.SpanId || i.ParentSpanId == processThird.SpanId).Select(i => i.ParentSpanId.ToHexString()).Order());
        Assert.All(inserts.Where(i => i.ParentSpanId == processThird.SpanId), i => Assert.Equal("INSERT audit_events", i.OperationName));
        Assert.Equal(3, stored.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(1, duplicates.GetMeasurementSnapshot().Sum(m => m.Value));
        var storedLines = _logs.GetSnapshot().Where(r => r.Category == "AuditService.Events").Select(r => r.Message).ToList();
        Assert.Equal(3, storedLines.Count);
        Assert.Single(storedLines, line => line.Contains("id=first", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task A_write_that_stores_something_wakes_the_live_streams_and_a_duplicate_does_not(StorageProvider provider)
    {
        await using var store = await TemporaryAuditStore.CreateAsync(provider, postgres, Ct);
        using var metrics = new IngestionMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        using var loggers = LoggerFactory.Create(_ => { });
        var signal = new AuditEventSignal();
        var writer = new AuditEventWriter(store.Store, new AuditEventLog(loggers), metrics, TimeProvider.System, signal);
        using var subscription = signal.Subscribe();
        var record = Record("woken");

        await writer.WriteAsync([new IngestedEvent(record, Span: null)], Ct);
        var wokenByStore = await subscription.WaitAsync(Timeout.InfiniteTimeSpan, Ct);
        await writer.WriteAsync([new IngestedEvent(record, Span: null)], Ct);
        using var shortWait = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        shortWait.CancelAfter(TimeSpan.FromMilliseconds(200));
        var wokenByDuplicate = await subscription.WaitAsync(Timeout.InfiniteTimeSpan, shortWait.Token);

        Assert.True(wokenByStore);
        Assert.False(wokenByDuplicate);
        subscription.Dispose();
        Assert.Equal(0, signal.Subscribers);
    }

    private static readonly ActivitySource Processes = new("UserAudit.Tests.AuditEventWriter");

    /// <summary>Records AuditService's spans (the INSERTs) and lets the test's own process spans be created.</summary>
    private static ActivityListener ListenTo(ConcurrentBag<Activity> inserts)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is Microsoft.Extensions.Hosting.UserAuditTelemetry.AuditService or "UserAudit.Tests.AuditEventWriter",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == Microsoft.Extensions.Hosting.UserAuditTelemetry.AuditService)
                {
                    inserts.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static AuditRecord Record(string id) => new(
        "urn:writer-test", id, "org.useraudit.test.v1", "1.0", "subject", DateTimeOffset.UtcNow, null, null,
        new Dictionary<string, string>(), null, null, null, DateTimeOffset.UtcNow);

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
