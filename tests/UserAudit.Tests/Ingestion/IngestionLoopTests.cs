using System.Collections.Concurrent;
using AuditService.Ingestion;
using AuditService.Store;
using AuditService.Streaming;
using CloudNative.CloudEvents;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using UserAudit.ServiceDefaults.Kafka;
using UserAudit.ServiceDefaults.Storage;
using UserAudit.Tests.Infrastructure;
using UserAudit.Tests.Integrity;
using Xunit;

namespace UserAudit.Tests.Ingestion;

/// <summary>
/// The ingestion loop against a scripted consumer and a real store, on both providers: what it does
/// when the database fails for a while (offsets move only after a commit), and what it leaves behind
/// when it stops.
/// </summary>
public sealed class IngestionLoopTests : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly CapturingLoggerProvider _logs = new();
    private readonly TestPostgres _postgres;
    private TemporaryAuditStore? _store;

    public IngestionLoopTests(TestPostgres postgres)
    {
        _postgres = postgres;
        _services = new ServiceCollection()
            .AddMetrics()
            .AddLogging(logging => logging.AddProvider(_logs))
            .BuildServiceProvider();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AuditEventStore Store => _store!.Store;

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task A_failing_database_is_retried_without_dead_lettering_or_moving_offsets(StorageProvider provider)
    {
        var (service, script, deadLetters) = await ArrangeAsync(provider);
        await TableAwayAsync(away: true);

        var cloudEvent = AuditTopicClient.NewEvent("transient");
        script.Add(Result(cloudEvent, offset: 41));
        await service.StartAsync(Ct);
        await Eventually.TrueAsync(_ => Task.FromResult(_logs.Lines.Count(l => l.Contains("store failed", StringComparison.Ordinal)) >= 2),
            "the store to be retried twice", cancellationToken: Ct);

        Assert.Empty(deadLetters.Produced);
        Assert.Empty(script.Stored);

        await TableAwayAsync(away: false);
        await Eventually.TrueAsync(_ => Task.FromResult(!script.Stored.IsEmpty), "the offset stored after the retry succeeded", cancellationToken: Ct);
        await service.StopAsync(Ct);

        Assert.Equal(new TopicPartitionOffset("audit", 0, 42), Assert.Single(script.Stored));
        Assert.NotNull(await Store.FindAsync(cloudEvent.Source!.OriginalString, cloudEvent.Id!, Ct));
        Assert.Empty(deadLetters.Produced);
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task Stopping_stores_and_commits_the_offsets_of_work_in_hand_then_closes(StorageProvider provider)
    {
        var (service, script, _) = await ArrangeAsync(provider, batchSize: 10_000, batchWindow: TimeSpan.FromMinutes(5));
        var events = Enumerable.Range(0, 5).Select(_ => AuditTopicClient.NewEvent("stopping")).ToList();
        for (var i = 0; i < events.Count; i++)
        {
            script.Add(Result(events[i], offset: 100 + i));
        }

        await service.StartAsync(Ct);
        // The batch window is long: the events wait in the batch until the stop flushes them.
        await Eventually.TrueAsync(_ => Task.FromResult(script.Calls.Count(c => c == "Consume") > events.Count), "the events consumed", cancellationToken: Ct);
        Assert.Empty(script.Stored);
        await service.StopAsync(Ct);

        Assert.Equal(new TopicPartitionOffset("audit", 0, 105), script.Stored.Last());
        var calls = script.Calls.ToList();
        Assert.True(calls.LastIndexOf("StoreOffset") < calls.IndexOf("Commit"), "offsets stored before the final commit");
        Assert.True(calls.IndexOf("Commit") < calls.IndexOf("Close"), "committed before closing");
        var store = Store;
        foreach (var e in events)
        {
            Assert.NotNull(await store.FindAsync(e.Source!.OriginalString, e.Id!, Ct));
        }
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task Stopping_while_a_batch_is_retried_stores_nothing_after_it(StorageProvider provider)
    {
        // The retry's waits run on a clock that never moves: the first batch stays unstored until the stop.
        var (service, script, _) = await ArrangeAsync(provider, batchWindow: TimeSpan.Zero, time: new FakeTimeProvider());
        await TableAwayAsync(away: true);
        var (first, second) = (AuditTopicClient.NewEvent("stopped-retry"), AuditTopicClient.NewEvent("stopped-retry"));

        script.Add(Result(first, offset: 20));
        await service.StartAsync(Ct);
        await Eventually.TrueAsync(_ => Task.FromResult(_logs.Lines.Any(l => l.Contains("store failed", StringComparison.Ordinal))),
            "the first batch's store to fail", cancellationToken: Ct);
        script.Add(Result(second, offset: 21));
        await Eventually.TrueAsync(_ => Task.FromResult(script.Waiting == 0), "the second event read while the first batch waits", cancellationToken: Ct);

        // The database is back, but the first batch's retry is stopped before it runs again.
        await TableAwayAsync(away: false);
        await service.StopAsync(Ct);

        // Storing the second event would commit offset 22, past the first, which is stored nowhere.
        Assert.Empty(script.Stored);
        Assert.Null(await Store.FindAsync(first.Source!.OriginalString, first.Id!, Ct));
        Assert.Null(await Store.FindAsync(second.Source!.OriginalString, second.Id!, Ct));
        Assert.Contains("Close", script.Calls);
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task A_dead_letter_the_broker_refuses_as_too_large_is_sent_without_its_value_instead_of_stalling(StorageProvider provider)
    {
        var (service, script, deadLetters) = await ArrangeAsync(provider, maxEventBytes: 4 * 1024 * 1024);
        deadLetters.MaxValueBytes = 1_000_000;
        var poison = Result(AuditTopicClient.NewEvent("too-large"), offset: 7);
        poison.Message.Headers.Remove("ce_time");
        poison.Message.Headers.Add("ce_time", "yesterday"u8.ToArray());
        poison.Message.Headers.Remove("content-type");
        poison.Message.Headers.Add("content-type", "application/octet-stream"u8.ToArray());
        poison.Message.Value = new byte[2_000_000];
        var after = AuditTopicClient.NewEvent("too-large");
        script.Add(poison);
        script.Add(Result(after, offset: 8));

        await service.StartAsync(Ct);
        await Eventually.TrueAsync(_ => Task.FromResult(script.Stored.Any(o => o.Offset == 9)), "the partition to move past the poison", cancellationToken: Ct);
        await service.StopAsync(Ct);

        var (topic, deadLetter) = Assert.Single(deadLetters.Produced);
        Assert.Equal("audit.deadletter", topic);
        Assert.Null(deadLetter.Value);
        Assert.Equal("MsgSizeTooLarge", Header(deadLetter, DeadLetterHeaders.ValueOmitted));
        Assert.Equal("InvalidAttributeValue", Header(deadLetter, DeadLetterHeaders.Reason));
        Assert.Equal("7", Header(deadLetter, DeadLetterHeaders.OriginalOffset));
        Assert.NotNull(await Store.FindAsync(after.Source!.OriginalString, after.Id!, Ct));
    }

    [Fact]
    public async Task The_next_batch_is_read_while_the_previous_one_is_being_stored()
    {
        // SQLite's driver completes its async calls synchronously: a store awaited on the loop's own
        // thread would hold the loop until it ends. Another connection's write lock holds the store.
        var (service, script, _) = await ArrangeAsync(StorageProvider.Sqlite, batchWindow: TimeSpan.Zero);
        var events = Enumerable.Range(0, 3).Select(_ => AuditTopicClient.NewEvent("overlap")).ToList();
        await using var blocker = await _store!.Database.OpenConnectionAsync(Ct);
        await using var writeLock = blocker.CreateCommand();
        writeLock.CommandText = "BEGIN IMMEDIATE";
        await writeLock.ExecuteNonQueryAsync(Ct);

        script.Add(Result(events[0], offset: 10));
        await service.StartAsync(Ct);
        await Eventually.TrueAsync(_ => Task.FromResult(script.Waiting == 0), "the first event read", cancellationToken: Ct);
        script.Add(Result(events[1], offset: 11));
        script.Add(Result(events[2], offset: 12));
        await Eventually.TrueAsync(_ => Task.FromResult(script.Waiting == 0), "the next events read while the first batch waits for the lock", cancellationToken: Ct);
        // Read during the store's first attempt (it waits up to the busy timeout, 10 s), not after it failed.
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("store failed", StringComparison.Ordinal));
        Assert.Empty(script.Stored);

        writeLock.CommandText = "ROLLBACK";
        await writeLock.ExecuteNonQueryAsync(Ct);
        await Eventually.TrueAsync(_ => Task.FromResult(script.Stored.Count == 3), "every offset stored after its commit", cancellationToken: Ct);
        await service.StopAsync(Ct);

        Assert.Equal([11L, 12L, 13L], script.Stored.Take(3).Select(o => o.Offset.Value));
        foreach (var e in events)
        {
            Assert.NotNull(await Store.FindAsync(e.Source!.OriginalString, e.Id!, Ct));
        }
    }

    // A partition revoked and given back within one batch (a cooperative rebalance, a replica that
    // joins and leaves): the event read before the revoke was dropped with it, so no later item of
    // that partition, a dead letter included, may store an offset past it.
    [Fact]
    public async Task A_partition_revoked_and_given_back_stores_no_offset_past_the_work_it_dropped()
    {
        var (service, script, deadLetters) = await ArrangeAsync(StorageProvider.Sqlite, batchSize: 10_000, batchWindow: TimeSpan.FromMinutes(5));
        var dropped = AuditTopicClient.NewEvent("revoked");
        script.Add(Result(dropped, offset: 10));
        script.Add(new ConsumeResult<byte[]?, byte[]?>
        {
            TopicPartitionOffset = new TopicPartitionOffset("audit", 0, 11),
            Message = new Message<byte[]?, byte[]?> { Key = "key"u8.ToArray(), Value = "not a cloud event"u8.ToArray(), Headers = [] },
        });
        var partition = new TopicPartition("audit", 0);
        script.AddCallback(() =>
        {
            service.OnRevoked([partition]);
            service.OnAssigned([partition]);
        });
        await service.StartAsync(Ct);
        await Eventually.TrueAsync(_ => Task.FromResult(script.Waiting == 0 && deadLetters.Produced.Count == 1), "the revoke to run", cancellationToken: Ct);

        await service.StopAsync(Ct);

        Assert.Null(await Store.FindAsync(dropped.Source!.OriginalString, dropped.Id!, Ct));
        Assert.Empty(script.Stored);
    }

    private static string? Header(Message<byte[]?, byte[]?> message, string name) =>
        message.Headers.TryGetLastBytes(name, out var bytes) ? System.Text.Encoding.UTF8.GetString(bytes) : null;

    // A fresh store of the provider, and the loop over it with a scripted consumer and a recording dead-letter producer.
    private async Task<(KafkaIngestionService Service, ScriptedConsumer Script, RecordingProducer DeadLetters)> ArrangeAsync(
        StorageProvider provider, int batchSize = 500, TimeSpan? batchWindow = null, int maxEventBytes = 1024 * 1024, TimeProvider? time = null)
    {
        _store = await TemporaryAuditStore.CreateAsync(provider, _postgres, Ct);
        var (consumer, script) = ScriptedConsumer.Create();
        var (producer, deadLetters) = RecordingProducer.Create();
        var loggers = _services.GetRequiredService<ILoggerFactory>();
        var meters = _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var options = Options.Create(new IngestionOptions { BatchSize = batchSize, BatchWindow = batchWindow ?? TimeSpan.FromMilliseconds(50), MaxEventBytes = maxEventBytes });
        var metrics = new IngestionMetrics(meters);
        var kafkaTelemetry = new KafkaTelemetry(meters);
        var service = new KafkaIngestionService(
            consumer,
            new AuditEventWriter(Store, new AuditEventLog(loggers), metrics, TimeProvider.System, new AuditEventSignal()),
            new DeadLetterPublisher(producer, options, metrics, kafkaTelemetry, loggers.CreateLogger<DeadLetterPublisher>()),
            options, new KafkaConsumerMonitor(TimeProvider.System), new KafkaConsumerSettings(), kafkaTelemetry, time ?? TimeProvider.System,
            loggers.CreateLogger<KafkaIngestionService>());
        return (service, script, deadLetters);
    }

    private static ConsumeResult<byte[]?, byte[]?> Result(CloudEvent cloudEvent, long offset)
    {
        var message = AuditTopicClient.ToMessage(cloudEvent, "key");
        return new ConsumeResult<byte[]?, byte[]?>
        {
            TopicPartitionOffset = new TopicPartitionOffset("audit", 0, offset),
            Message = new Message<byte[]?, byte[]?> { Key = "key"u8.ToArray(), Value = message.Value, Headers = message.Headers },
        };
    }

    // The events' table renamed away and back: every store fails with a database error meanwhile.
    private Task TableAwayAsync(bool away) =>
        ExecuteAsync(away ? "ALTER TABLE audit_events RENAME TO audit_events_away" : "ALTER TABLE audit_events_away RENAME TO audit_events");

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await _store!.Database.OpenConnectionAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(Lines);

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }
}
