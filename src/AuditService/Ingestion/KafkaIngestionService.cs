using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using AuditService.Store;
using CloudNative.CloudEvents;
using Confluent.Kafka;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using UserAudit.CloudEvents;
using UserAudit.CloudEvents.Kafka;
using UserAudit.ServiceDefaults.Kafka;

namespace AuditService.Ingestion;

/// <summary>
/// Consumes the audit topic at least once and stores effectively once: events are written in
/// batches (one transaction each), duplicates are skipped by (source, id), and a message's offset
/// is stored only after its batch committed, so a crash anywhere loses nothing. Poison messages go
/// to the dead-letter topic with the reason and are then stepped over; transient failures retry.
/// </summary>
public sealed partial class KafkaIngestionService(
    IConsumer<byte[]?, byte[]?> consumer,
    [FromKeyedServices(KafkaIngestionService.DeadLetterProducerKey)] IProducer<byte[]?, byte[]?> deadLetters,
    AuditEventStore store,
    AuditEventLog eventLog,
    IOptions<IngestionOptions> options,
    [FromKeyedServices("")] KafkaConsumerMonitor monitor,
    KafkaTelemetry kafkaTelemetry,
    IMeterFactory meterFactory,
    TimeProvider time,
    ILogger<KafkaIngestionService> logger) : BackgroundService, IKafkaRebalanceListener
{
    /// <summary>DI key of the dead-letter producer.</summary>
    public const string DeadLetterProducerKey = "deadletter";

    private static readonly CloudEventFormatter Formatter = CloudEventJson.Formatter;
    private readonly IngestionOptions _options = options.Value;
    // The batch being read; the previous one is being stored meanwhile (_storing).
    private List<Pending> _batch = [];
    private List<Task<DeliveryResult<byte[]?, byte[]?>>> _deadLettered = [];
    private Task _storing = Task.CompletedTask;
    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(250);
    private readonly Meter _meter = meterFactory.Create(Microsoft.Extensions.Hosting.UserAuditTelemetry.AuditService);
    private Counter<long>? _stored;
    private Counter<long>? _duplicates;
    private Counter<long>? _deadLetterCount;

    private sealed record Pending(ConsumeResult<byte[]?, byte[]?> Consumed, AuditRecord? Record, Activity? Activity);

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stored = _meter.CreateCounter<long>("useraudit.audit.events.stored", "{event}", "Events stored for the first time.");
        _duplicates = _meter.CreateCounter<long>("useraudit.audit.events.duplicates", "{event}", "Redelivered events skipped because (source, id) was already stored.");
        _deadLetterCount = _meter.CreateCounter<long>("useraudit.audit.events.dead_lettered", "{message}", "Poison messages sent to the dead-letter topic, by reason.");
        // Consume blocks inside librdkafka: give the loop a thread of its own.
        return Task.Factory.StartNew(() => RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        consumer.Subscribe(_options.Topic);
        LogSubscribed(logger, _options.Topic, _options.DeadLetterTopic);
        try
        {
            while (true)
            {
                // Reading the next batch overlaps storing the previous one (the store is most of the
                // work): one batch in flight at most, stored in order, offsets stored after its commit.
                FillBatch(stoppingToken);
                await _storing;
                if (stoppingToken.IsCancellationRequested)
                {
                    break; // the batch in hand is stored below, without the stopping token
                }

                _storing = FlushAsync(TakeBatch(), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Store what was already processed, commit it, and leave the group cleanly.
            await WaitForStoringAsync();
            await FlushAsync(TakeBatch(), CancellationToken.None);
            try
            {
                consumer.Commit();
            }
            catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_NoOffset)
            {
                // Nothing new to commit.
            }
            catch (KafkaException ex)
            {
                LogCommitFailed(logger, ex.Error.Code);
            }

            consumer.Close();
        }
    }

    private void FillBatch(CancellationToken stoppingToken)
    {
        var deadline = time.GetTimestamp() + (long)(_options.BatchWindow.TotalSeconds * time.TimestampFrequency);
        while (_batch.Count < _options.BatchSize && !stoppingToken.IsCancellationRequested)
        {
            var remaining = _batch.Count == 0
                ? PollSlice
                : TimeSpan.FromSeconds((double)(deadline - time.GetTimestamp()) / time.TimestampFrequency);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            ConsumeResult<byte[]?, byte[]?>? result;
            try
            {
                // Slices of at most 250 ms keep a stop prompt whatever the batch window is.
                result = consumer.Consume(remaining < PollSlice ? remaining : PollSlice);
            }
            catch (ConsumeException ex)
            {
                kafkaTelemetry.ConsumeFailures.Add(1, new KeyValuePair<string, object?>("error.type", ex.Error.Code.ToString()));
                LogConsumeFailed(logger, ex.Error.Code, ex.Error.Reason);
                if (ex.Error.IsFatal)
                {
                    throw;
                }

                continue;
            }
            finally
            {
                monitor.Polled();
            }

            if (result is null)
            {
                continue; // the window's end is checked at the top
            }

            if (!result.IsPartitionEOF)
            {
                Accept(result);
            }
        }
    }

    private void Accept(ConsumeResult<byte[]?, byte[]?> result)
    {
        kafkaTelemetry.ConsumedMessages.Add(1, new KeyValuePair<string, object?>("messaging.destination.name", result.Topic));
        if (result.Message.Value?.Length > _options.MaxEventBytes)
        {
            // The value is left out of the dead letter: it is larger than we accept, so it may well
            // be larger than the broker accepts too, and a dead letter that cannot be produced would
            // stall the partition. The original coordinates say where to find it.
            DeadLetter(result, nameof(CloudEventBindingError.BodyTooLarge),
                $"The message value has {result.Message.Value.Length} bytes; at most {_options.MaxEventBytes} are accepted. The value is not copied here.",
                keepValue: false);
            return;
        }

        CloudEvent cloudEvent;
        try
        {
            cloudEvent = result.Message.ToCloudEvent(Formatter, DistributedTracingExtension.AllAttributes);
        }
        catch (CloudEventBindingException ex)
        {
            DeadLetter(result, ex.Error.ToString(), ex.Message);
            return;
        }

        var activity = CloudEventKafkaTracing.StartProcess(result, cloudEvent);
        Activity.Current = null; // the span is ended when its batch commits, not on this flow
        try
        {
            var record = AuditRecord.From(cloudEvent, Formatter, new KafkaCoordinates(result.Topic, result.Partition.Value, result.Offset.Value), time.GetUtcNow());
            _batch.Add(new Pending(result, record, activity));
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "invalid data");
            activity?.Dispose();
            DeadLetter(result, nameof(CloudEventBindingError.InvalidData), "The event data could not be stored: " + ex.GetType().Name);
        }
    }

    private void DeadLetter(ConsumeResult<byte[]?, byte[]?> result, string reason, string detail, bool keepValue = true)
    {
        var headers = new Headers();
        if (result.Message.Headers is not null)
        {
            foreach (var header in result.Message.Headers)
            {
                headers.Add(header.Key, header.GetValueBytes());
            }
        }

        headers.Add(DeadLetterHeaders.Reason, Encoding.UTF8.GetBytes(reason));
        headers.Add(DeadLetterHeaders.Detail, Encoding.UTF8.GetBytes(detail));
        headers.Add(DeadLetterHeaders.OriginalTopic, Encoding.UTF8.GetBytes(result.Topic));
        headers.Add(DeadLetterHeaders.OriginalPartition, Encoding.UTF8.GetBytes(result.Partition.Value.ToString(CultureInfo.InvariantCulture)));
        headers.Add(DeadLetterHeaders.OriginalOffset, Encoding.UTF8.GetBytes(result.Offset.Value.ToString(CultureInfo.InvariantCulture)));
        if (!keepValue)
        {
            headers.Add(DeadLetterHeaders.ValueOmitted, Encoding.UTF8.GetBytes(reason));
        }

        _deadLettered.Add(deadLetters.ProduceAsync(_options.DeadLetterTopic,
            new Message<byte[]?, byte[]?> { Key = result.Message.Key, Value = keepValue ? result.Message.Value : null, Headers = headers }));
        _batch.Add(new Pending(result, null, null));
        _deadLetterCount?.Add(1, new KeyValuePair<string, object?>("reason", reason));
        kafkaTelemetry.ConsumeFailures.Add(1, new KeyValuePair<string, object?>("error.type", reason));
        LogDeadLettered(logger, result.Topic, result.Partition.Value, result.Offset.Value, reason, detail);
    }

    private (List<Pending> Items, List<Task<DeliveryResult<byte[]?, byte[]?>>> DeadLettered) TakeBatch()
    {
        var taken = (_batch, _deadLettered);
        (_batch, _deadLettered) = ([], []);
        return taken;
    }

    private async Task WaitForStoringAsync()
    {
        try
        {
            await _storing;
        }
        catch (OperationCanceledException)
        {
            // Stopped while retrying: nothing of that batch was stored or marked; it is read again.
        }
    }

    private async Task FlushAsync((List<Pending> Items, List<Task<DeliveryResult<byte[]?, byte[]?>>> DeadLettered) batch, CancellationToken cancellationToken)
    {
        var (items, deadLettered) = batch;
        if (items.Count == 0)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        // Poison messages must be safely on the dead-letter topic before their offsets move on.
        await RetryAsync(async () => { await Task.WhenAll(deadLettered); }, "dead-letter", deadLettered, cancellationToken);

        var records = new List<AuditRecord>(items.Count);
        foreach (var pending in items)
        {
            if (pending.Record is not null)
            {
                records.Add(pending.Record);
            }
        }

        var dbStart = DateTime.UtcNow;
        var (inserted, duplicates) = await RetryAsync(() => store.InsertAsync(records, cancellationToken), "store", null, cancellationToken);
        var dbEnd = DateTime.UtcNow;
        _stored?.Add(inserted);
        _duplicates?.Add(duplicates);

        foreach (var pending in items)
        {
            TryStoreOffset(pending.Consumed);
            if (pending.Activity is { } activity)
            {
                using (var db = KafkaTelemetry.ActivitySource.StartActivity("INSERT audit_events", ActivityKind.Client, activity.Context, startTime: dbStart))
                {
                    db?.SetTag("db.system.name", "sqlite");
                    db?.SetTag("db.operation.name", "INSERT");
                    db?.SetTag("db.collection.name", "audit_events");
                    db?.SetTag("db.operation.batch.size", records.Count);
                    db?.SetEndTime(dbEnd);
                }

                Activity.Current = activity;
                eventLog.Stored(pending.Record!);
                activity.Dispose();
                Activity.Current = null;
            }
        }

        kafkaTelemetry.ProcessDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        if (duplicates > 0)
        {
            LogDuplicates(logger, duplicates);
        }

    }

    private void TryStoreOffset(ConsumeResult<byte[]?, byte[]?> result)
    {
        try
        {
            consumer.StoreOffset(result);
        }
        catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_State)
        {
            // The partition went to another member meanwhile; it re-reads from the last commit and
            // the (source, id) constraint makes the repeat harmless.
        }
    }

    private async Task<T> RetryAsync<T>(Func<Task<T>> operation, string what, List<Task<DeliveryResult<byte[]?, byte[]?>>>? deadLettersToRetry, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                return await operation();
            }
            catch (Exception ex) when (ex is SqliteException or ProduceException<byte[]?, byte[]?>)
            {
                // Transient (database busy, broker away): retry; never drop or dead-letter for it.
                LogRetrying(logger, what, delay.TotalMilliseconds, ex.GetType().Name);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5_000));
                if (deadLettersToRetry is not null)
                {
                    ReproduceFailedDeadLetters(deadLettersToRetry);
                }
            }
        }
    }

    private async Task RetryAsync(Func<Task> operation, string what, List<Task<DeliveryResult<byte[]?, byte[]?>>>? deadLettersToRetry, CancellationToken cancellationToken) =>
        await RetryAsync(async () => { await operation(); return true; }, what, deadLettersToRetry, cancellationToken);

    private void ReproduceFailedDeadLetters(List<Task<DeliveryResult<byte[]?, byte[]?>>> deadLettered)
    {
        for (var i = 0; i < deadLettered.Count; i++)
        {
            if (deadLettered[i].IsFaulted && deadLettered[i].Exception?.InnerException is ProduceException<byte[]?, byte[]?> failed)
            {
                var message = failed.DeliveryResult.Message;
                if (failed.Error.Code == ErrorCode.MsgSizeTooLarge && message.Value is not null)
                {
                    // Retrying the same size fails forever and would stall the partition: send the
                    // reason and coordinates without the value.
                    message.Headers.Add(DeadLetterHeaders.ValueOmitted, Encoding.UTF8.GetBytes(failed.Error.Code.ToString()));
                    message = new Message<byte[]?, byte[]?> { Key = message.Key, Value = null, Headers = message.Headers };
                }

                deadLettered[i] = deadLetters.ProduceAsync(_options.DeadLetterTopic, message);
            }
        }
    }

    /// <inheritdoc />
    public void OnAssigned(IReadOnlyList<TopicPartition> partitions)
    {
    }

    /// <inheritdoc />
    public void OnRevoked(IReadOnlyList<TopicPartition> partitions) => Forget(partitions);

    /// <inheritdoc />
    public void OnLost(IReadOnlyList<TopicPartition> partitions) => Forget(partitions);

    /// <summary>
    /// Lets the batch being stored finish, so its offsets are stored before the partitions go, and
    /// drops the unstored work of the partitions that leave this member: their offsets were not
    /// stored, so the next owner reads them again. Runs inside Consume, on the loop's own thread.
    /// </summary>
    private void Forget(IReadOnlyList<TopicPartition> partitions)
    {
        // Blocking on purpose: librdkafka calls the rebalance listener synchronously inside Consume,
        // so it cannot be awaited. The store runs on the thread pool and never needs this thread.
        WaitForStoringAsync().GetAwaiter().GetResult();
        var gone = partitions.ToHashSet();
        _batch.RemoveAll(p =>
        {
            if (!gone.Contains(p.Consumed.TopicPartition) || p.Record is null)
            {
                return false;
            }

            p.Activity?.Dispose();
            return true;
        });
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming {Topic} (dead letters to {DeadLetterTopic})")]
    private static partial void LogSubscribed(ILogger logger, string topic, string deadLetterTopic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consume failed: {Code} {Reason}")]
    private static partial void LogConsumeFailed(ILogger logger, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered {Topic}[{Partition}]@{Offset}: {Reason}: {Detail}")]
    private static partial void LogDeadLettered(ILogger logger, string topic, int partition, long offset, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Skipped {Count} duplicate event(s) already stored")]
    private static partial void LogDuplicates(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{What} failed ({Error}); retrying in {DelayMs} ms")]
    private static partial void LogRetrying(ILogger logger, string what, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Final offset commit failed: {Code}")]
    private static partial void LogCommitFailed(ILogger logger, ErrorCode code);
}
