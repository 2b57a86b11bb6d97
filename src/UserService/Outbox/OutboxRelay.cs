using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using CloudNative.CloudEvents;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using UserAudit.ServiceDefaults.Kafka;
using UserService.Events;

namespace UserService.Outbox;

/// <summary>Relay settings; section <c>Outbox</c>.</summary>
public sealed class OutboxOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Outbox";

    /// <summary>Rows published per round.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>How often the relay looks for rows when nobody woke it (after a restart, for example).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between retries while Kafka is unreachable.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long delivered rows are kept before they are pruned.</summary>
    public TimeSpan DeliveredRetention { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>Wakes the relay as soon as a transaction with outbox rows commits.</summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Called after a commit that added rows.</summary>
    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled by a concurrent commit: one wake-up serves both.
            }
        }
    }

    /// <summary>Waits for a notification or the timeout.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _signal.Dispose();
}

/// <summary>
/// Publishes pending outbox rows to Kafka in the order they were written and marks them delivered
/// only after the broker acknowledged them. While Kafka is unreachable it backs off and retries;
/// rows survive restarts, so an event is published at least once and AuditService drops repeats.
/// </summary>
public sealed partial class OutboxRelay(
    OutboxStore store,
    OutboxSignal signal,
    CloudEventKafkaPublisher publisher,
    IOptions<OutboxOptions> options,
    IOptions<EventOptions> eventOptions,
    IMeterFactory meterFactory,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private readonly OutboxOptions _options = options.Value;
    private readonly EventOptions _events = eventOptions.Value;
    private long _pending;
    private double _oldestAgeSeconds;
    private Counter<long>? _failures;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var meter = meterFactory.Create(Microsoft.Extensions.Hosting.UserAuditTelemetry.UserService);
        meter.CreateObservableGauge("useraudit.outbox.pending", () => Volatile.Read(ref _pending), "{row}", "Outbox rows not yet acknowledged by Kafka.");
        meter.CreateObservableGauge("useraudit.outbox.oldest_pending.age", () => Volatile.Read(ref _oldestAgeSeconds), "s", "Age of the oldest pending outbox row.");
        _failures = meter.CreateCounter<long>("useraudit.outbox.publish.failures", "{message}", "Outbox rows whose publish failed (they are retried).");

        var backoff = TimeSpan.Zero;
        var nextPrune = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (DateTimeOffset.UtcNow >= nextPrune)
                {
                    var pruned = await store.PruneAsync(_options.DeliveredRetention, stoppingToken);
                    if (pruned > 0)
                    {
                        LogPruned(logger, pruned);
                    }

                    nextPrune = DateTimeOffset.UtcNow.AddMinutes(1);
                }

                var published = await PublishRoundAsync(stoppingToken);
                await RefreshStatisticsAsync(stoppingToken);
                if (published.Failed > 0)
                {
                    backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                    LogBackingOff(logger, published.Failed, backoff.TotalMilliseconds);
                    await Task.Delay(backoff, stoppingToken);
                }
                else
                {
                    backoff = TimeSpan.Zero;
                    if (published.Delivered < _options.BatchSize)
                    {
                        await signal.WaitAsync(_options.PollInterval, stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or KafkaException or InvalidOperationException)
            {
                // The database or the client failed as a whole: nothing was marked, so retry later.
                LogRoundFailed(logger, ex);
                await Task.Delay(_options.MaxBackoff < TimeSpan.FromSeconds(1) ? _options.MaxBackoff : TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task<(int Delivered, int Failed)> PublishRoundAsync(CancellationToken cancellationToken)
    {
        var rows = await store.ReadPendingAsync(_options.BatchSize, cancellationToken);
        if (rows.Count == 0)
        {
            return (0, 0);
        }

        // Produce the whole round without awaiting each message; the idempotent producer keeps
        // per-partition order, and one user's events share a key and so a partition.
        var deliveries = new Task[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            deliveries[i] = PublishAsync(rows[i].Message, cancellationToken);
        }

        try
        {
            await Task.WhenAll(deliveries);
        }
        catch (ProduceException<string?, byte[]?>)
        {
            // Inspected per row below.
        }

        var delivered = new List<long>(rows.Count);
        var failed = new List<(long, string)>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (deliveries[i].IsCompletedSuccessfully)
            {
                delivered.Add(rows[i].Sequence);
            }
            else
            {
                var reason = deliveries[i].Exception?.InnerException is ProduceException<string?, byte[]?> pe ? pe.Error.Code.ToString() : "unknown";
                failed.Add((rows[i].Sequence, reason));
                _failures?.Add(1, new KeyValuePair<string, object?>("error.type", reason));
            }
        }

        // Marking after the acknowledgement: a crash in between republishes, never loses.
        await store.CompleteAsync(delivered, failed, CancellationToken.None);
        return (delivered.Count, failed.Count);
    }

    private Task<DeliveryResult<string?, byte[]?>> PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = message.EventId,
            Source = _events.Source,
            Type = message.Type,
            Subject = message.Subject,
            Time = message.Time,
            DataContentType = "application/json",
            Data = JsonSerializer.Deserialize<JsonElement>(message.Data),
        };
        if (_events.SchemaBaseUri is { } schemas)
        {
            cloudEvent.DataSchema = new Uri(schemas, UserEventSchemas.FileOf(message.Type));
        }

        var parent = message.TraceParent is not null && ActivityContext.TryParse(message.TraceParent, message.TraceState, out var context)
            ? context
            : default;
        return publisher.PublishAsync(_events.Topic, message.Subject, cloudEvent, parent, cancellationToken);
    }

    private async Task RefreshStatisticsAsync(CancellationToken cancellationToken)
    {
        var (count, oldest) = await store.PendingStatisticsAsync(cancellationToken);
        Volatile.Write(ref _pending, count);
        Volatile.Write(ref _oldestAgeSeconds, oldest is null ? 0 : (DateTimeOffset.UtcNow - oldest.Value).TotalSeconds);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Failed} outbox row(s) not acknowledged by Kafka; retrying in {BackoffMs} ms")]
    private static partial void LogBackingOff(ILogger logger, int failed, double backoffMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox relay round failed; retrying")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Count} delivered outbox row(s)")]
    private static partial void LogPruned(ILogger logger, int count);
}
