using System.Data.Common;
using System.Diagnostics;
using AuditService.Store;
using CloudNative.CloudEvents;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Polly;
using UserAudit.CloudEvents;
using UserAudit.CloudEvents.Kafka;
using UserAudit.ServiceDefaults.Kafka;
using UserAudit.ServiceDefaults.Resilience;

namespace AuditService.Ingestion;

/// <summary>
/// Consumes the audit topic at least once and stores effectively once: events are written in
/// batches (one transaction each), duplicates are skipped by (source, id), and a message's offset
/// is stored only after its batch committed, so a crash anywhere loses nothing. Poison messages go
/// to the dead-letter topic with the reason and are then stepped over; transient failures retry.
/// </summary>
public sealed partial class KafkaIngestionService(
    IConsumer<byte[]?, byte[]?> consumer,
    AuditEventWriter writer,
    DeadLetterPublisher deadLetters,
    IOptions<IngestionOptions> options,
    [FromKeyedServices("")] KafkaConsumerMonitor monitor,
    KafkaConsumerSettings consumerSettings,
    KafkaTelemetry kafkaTelemetry,
    TimeProvider time,
    ILogger<KafkaIngestionService> logger) : BackgroundService, IKafkaRebalanceListener
{
    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(250);

    // How long one wait for more events lasts while the previous batch is still being stored.
    private static readonly TimeSpan StoringSlice = TimeSpan.FromMilliseconds(2);

    private readonly IngestionOptions _options = options.Value;

    // Transient failures (database busy, broker away) are retried forever; never dropped or dead-lettered.
    private readonly ResiliencePipeline _storeRetry = TransientRetry.Create("store", options.Value.MaxRetryDelay, static e => e is DbException, logger, time);
    private readonly ResiliencePipeline _deadLetterRetry = TransientRetry.Create(
        "dead-letter", options.Value.MaxRetryDelay, static e => e is ProduceException<byte[]?, byte[]?>, logger, time);

    // The batch being read; the previous one is being stored meanwhile (_storing).
    private Batch _batch = new();
    private Task _storing = Task.CompletedTask;

    /// <summary>A message read from the topic: its event (null for a dead letter) and its process span.</summary>
    private sealed record Pending(ConsumeResult<byte[]?, byte[]?> Consumed, AuditRecord? Record, Activity? Span);

    private sealed class Batch
    {
        public List<Pending> Items { get; } = [];

        public List<DeadLetterDelivery> DeadLetters { get; } = [];
    }

    /// <inheritdoc />
    // Consume blocks inside librdkafka: the loop has a thread of its own, and blocks only that one.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
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
                _storing.GetAwaiter().GetResult(); // blocks this dedicated thread only, never a pool thread
                if (stoppingToken.IsCancellationRequested)
                {
                    break; // the batch in hand is stored below, without the stopping token
                }

                // On the thread pool, never on this thread: SQLite's driver completes its async calls
                // synchronously, so the store would otherwise run here before the next read began.
                var batch = TakeBatch();
                _storing = Task.Run(() => FlushAsync(batch, stoppingToken), CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Store what was already processed, commit it, and leave the group cleanly; blocking this
            // dedicated thread, as the loop does (nothing is left to read, so nothing to overlap).
            // The batch in hand only if the one before it was stored: were that one stopped while
            // retrying, storing this one would store offsets past events stored nowhere.
            if (WaitForStoringAsync().GetAwaiter().GetResult())
            {
                FlushAsync(TakeBatch(), CancellationToken.None).GetAwaiter().GetResult();
            }

            CommitFinalOffsets();
            consumer.Close();
        }
    }

    private void FillBatch(CancellationToken stoppingToken)
    {
        var deadline = _options.BatchWindow > TimeSpan.Zero ? time.GetTimestamp() + (long)(_options.BatchWindow.TotalSeconds * time.TimestampFrequency) : 0;
        while (_batch.Items.Count < _options.BatchSize && !stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            if (_batch.Items.Count == 0)
            {
                wait = PollSlice;
            }
            else if (_options.BatchWindow > TimeSpan.Zero)
            {
                wait = time.GetElapsedTime(time.GetTimestamp(), deadline);
                if (wait <= TimeSpan.Zero)
                {
                    return;
                }
            }
            else
            {
                // Group commit: keep filling while the previous batch is being stored; once it is,
                // take only what is already in hand and go. A batch is small when events trickle
                // (each visible within a commit) and full when the store is what limits the rate.
                wait = _storing.IsCompleted ? TimeSpan.Zero : StoringSlice;
            }

            ConsumeResult<byte[]?, byte[]?>? result;
            try
            {
                // Slices of at most 250 ms keep a stop prompt whatever the batch window is.
                result = consumer.Consume(wait < PollSlice ? wait : PollSlice);
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
                if (wait == TimeSpan.Zero)
                {
                    return; // nothing more in hand
                }
            }
            else if (!result.IsPartitionEOF)
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
            cloudEvent = result.Message.ToCloudEvent(CloudEventJson.Formatter, DistributedTracingExtension.AllAttributes);
        }
        catch (CloudEventBindingException ex)
        {
            DeadLetter(result, ex.Error.ToString(), ex.Message);
            return;
        }

        var span = CloudEventKafkaTracing.StartProcess(result, cloudEvent, consumerSettings);
        Activity.Current = null; // the span ends when its batch commits, not on this flow
        try
        {
            var record = AuditRecord.From(cloudEvent, CloudEventJson.Formatter, new KafkaCoordinates(result.Topic, result.Partition.Value, result.Offset.Value), time.GetUtcNow());
            _batch.Items.Add(new Pending(result, record, span));
        }
        catch (CloudEventBindingException ex)
        {
            span?.SetStatus(ActivityStatusCode.Error, "invalid data");
            span?.Dispose();
            DeadLetter(result, ex.Error.ToString(), ex.Message);
        }
    }

    private void DeadLetter(ConsumeResult<byte[]?, byte[]?> result, string reason, string detail, bool keepValue = true)
    {
        _batch.DeadLetters.Add(deadLetters.Send(result, reason, detail, keepValue));
        _batch.Items.Add(new Pending(result, null, null));
    }

    private Batch TakeBatch()
    {
        var taken = _batch;
        _batch = new Batch();
        return taken;
    }

    /// <summary>Waits until the batch handed over is stored; false when it was stopped while retrying.</summary>
    private async Task<bool> WaitForStoringAsync()
    {
        try
        {
            await _storing;
            return true;
        }
        catch (OperationCanceledException)
        {
            // Stopped while retrying: nothing of that batch was stored or marked; it is read again.
            return false;
        }
    }

    private async Task FlushAsync(Batch batch, CancellationToken cancellationToken)
    {
        if (batch.Items.Count == 0)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        // Poison messages must be safely on the dead-letter topic before their offsets move on.
        await _deadLetterRetry.ExecuteAsync(async _ => await deadLetters.EnsureDeliveredAsync(batch.DeadLetters), cancellationToken);

        var events = new List<IngestedEvent>(batch.Items.Count);
        foreach (var pending in batch.Items)
        {
            if (pending.Record is not null)
            {
                events.Add(new IngestedEvent(pending.Record, pending.Span));
            }
        }

        var result = await _storeRetry.ExecuteAsync(async ct => await writer.WriteAsync(events, ct), cancellationToken);
        foreach (var pending in batch.Items)
        {
            TryStoreOffset(pending.Consumed);
            pending.Span?.Dispose();
        }

        kafkaTelemetry.ProcessDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        if (result.Duplicates > 0)
        {
            LogDuplicates(logger, result.Duplicates);
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

    private void CommitFinalOffsets()
    {
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
    /// drops all the unstored work of the partitions that leave this member, dead letters included:
    /// their offsets were not stored, so the next owner reads them again. A dead letter kept here
    /// would store its offset past the events dropped before it if the partition came back within
    /// the batch. Its message may then be dead-lettered twice (dead letters are at least once). Runs
    /// inside Consume, on the loop's own thread.
    /// </summary>
    private void Forget(IReadOnlyList<TopicPartition> partitions)
    {
        // Blocking on purpose: librdkafka calls the rebalance listener synchronously inside Consume,
        // so it cannot be awaited. The store runs on the thread pool and never needs this thread.
        _ = WaitForStoringAsync().GetAwaiter().GetResult();
        var gone = partitions.ToHashSet();
        _batch.Items.RemoveAll(p =>
        {
            if (!gone.Contains(p.Consumed.TopicPartition))
            {
                return false;
            }

            p.Span?.Dispose();
            return true;
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming {Topic} (dead letters to {DeadLetterTopic})")]
    private static partial void LogSubscribed(ILogger logger, string topic, string deadLetterTopic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consume failed: {Code} {Reason}")]
    private static partial void LogConsumeFailed(ILogger logger, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Skipped {Count} duplicate event(s) already stored")]
    private static partial void LogDuplicates(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Final offset commit failed: {Code}")]
    private static partial void LogCommitFailed(ILogger logger, ErrorCode code);
}
