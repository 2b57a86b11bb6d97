using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using CloudNative.CloudEvents;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Polly;
using UserAudit.CloudEvents;
using UserAudit.ServiceDefaults.Kafka;
using UserAudit.ServiceDefaults.Resilience;
using UserService.Events;

namespace UserService.Outbox;

/// <summary>
/// Publishes pending outbox rows to Kafka in the order they were written and marks them delivered
/// only after the broker acknowledged them. While Kafka is unreachable it backs off and retries;
/// rows survive restarts, so an event is published at least once and AuditService drops repeats.
/// With several replicas (PostgreSQL), only the holder of the <see cref="RelayLease"/> publishes.
/// </summary>
public sealed partial class OutboxRelay : BackgroundService
{
    /// <summary>
    /// How long a stop waits for the acknowledgements of messages already handed to the producer,
    /// well within the host's shutdown timeout.
    /// </summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private readonly OutboxStore _store;
    private readonly OutboxSignal _signal;
    private readonly RelayLease _lease;
    private readonly CloudEventKafkaPublisher _publisher;
    private readonly OutboxOptions _options;
    private readonly EventOptions _events;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxRelay> _logger;
    private readonly Meter _meter;
    private readonly Counter<long> _failures;
    private readonly ResiliencePipeline _retry;
    private long _pending;
    private double _oldestAgeSeconds;
    private DateTimeOffset _nextPrune = DateTimeOffset.MinValue;

    /// <summary>Creates the relay and its metrics.</summary>
    public OutboxRelay(
        OutboxStore store,
        OutboxSignal signal,
        RelayLease lease,
        CloudEventKafkaPublisher publisher,
        IOptions<OutboxOptions> options,
        IOptions<EventOptions> eventOptions,
        IMeterFactory meterFactory,
        TimeProvider time,
        ILogger<OutboxRelay> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(eventOptions);
        ArgumentNullException.ThrowIfNull(meterFactory);
        (_store, _signal, _lease, _publisher, _options, _events, _time, _logger) = (store, signal, lease, publisher, options.Value, eventOptions.Value, time, logger);
        _meter = meterFactory.Create(Microsoft.Extensions.Hosting.UserAuditTelemetry.UserService);
        _meter.CreateObservableGauge("useraudit.outbox.pending", () => Volatile.Read(ref _pending), "{row}", "Outbox rows not yet acknowledged by Kafka.");
        _meter.CreateObservableGauge("useraudit.outbox.oldest_pending.age", () => Volatile.Read(ref _oldestAgeSeconds), "s", "Age of the oldest pending outbox row.");
        _failures = _meter.CreateCounter<long>("useraudit.outbox.publish.failures", "{message}", "Outbox rows whose publish failed (they are retried).");
        // Kafka away, the database busy, or rows the broker did not acknowledge: back off and go
        // again, for as long as it takes; nothing was marked delivered that was not acknowledged.
        _retry = TransientRetry.Create("publish", _options.MaxBackoff,
            static e => e is DbException or KafkaException or OutboxDeliveryIncompleteException, logger, time);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var delivered = await _retry.ExecuteAsync(RoundAsync, stoppingToken);
                if (delivered is null)
                {
                    // Another replica relays: ask for the lease again after a poll interval.
                    await Task.Delay(_options.PollInterval, _time, stoppingToken);
                }
                else if (delivered < _options.BatchSize)
                {
                    await _signal.WaitAsync(_options.PollInterval, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await _lease.DisposeAsync();
        }
    }

    /// <summary>
    /// Prunes when due, publishes one batch and refreshes the gauges; returns how many rows were
    /// delivered, or null when another replica holds the relay lease.
    /// </summary>
    /// <exception cref="OutboxDeliveryIncompleteException">Some rows were not acknowledged (the others are marked).</exception>
    private async ValueTask<int?> RoundAsync(CancellationToken cancellationToken)
    {
        if (!await _lease.HoldAsync(cancellationToken))
        {
            await RefreshStatisticsAsync(cancellationToken);
            return null;
        }

        if (_time.GetUtcNow() >= _nextPrune)
        {
            var pruned = await _store.PruneAsync(_options.DeliveredRetention, cancellationToken);
            if (pruned > 0)
            {
                LogPruned(_logger, pruned);
            }

            _nextPrune = _time.GetUtcNow().AddMinutes(1);
        }

        var (delivered, failed) = await PublishRoundAsync(cancellationToken);
        await RefreshStatisticsAsync(cancellationToken);
        return failed == 0 ? delivered : throw new OutboxDeliveryIncompleteException(failed);
    }

    private async Task<(int Delivered, int Failed)> PublishRoundAsync(CancellationToken cancellationToken)
    {
        var rows = await _store.ReadPendingAsync(_options.BatchSize, cancellationToken);
        if (rows.Count == 0)
        {
            return (0, 0);
        }

        // Produce the whole round without awaiting each message; the idempotent producer keeps
        // per-partition order, and one user's events share a key and so a partition. Not with the
        // stop's token: a message handed to the producer may be delivered whatever the token says,
        // and its acknowledgement must still be recorded, or the next start publishes it again.
        var deliveries = new Task[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            deliveries[i] = PublishAsync(rows[i].Message, CancellationToken.None);
        }

        await AcknowledgedAsync(deliveries, cancellationToken);

        var delivered = new List<long>(rows.Count);
        var failed = new List<(long, string)>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (deliveries[i].IsCompletedSuccessfully)
            {
                delivered.Add(rows[i].Sequence);
            }
            else if (!deliveries[i].IsCompleted)
            {
                // Still unacknowledged when the stop's grace ran out: left pending, published again
                // after the restart (AuditService drops the repeat if this one arrives too).
            }
            else
            {
                var reason = deliveries[i].Exception?.InnerException is ProduceException<string?, byte[]?> pe ? pe.Error.Code.ToString() : "unknown";
                failed.Add((rows[i].Sequence, reason));
                _failures.Add(1, new KeyValuePair<string, object?>("error.type", reason));
            }
        }

        // Marking after the acknowledgement: a crash in between republishes, never loses.
        await _store.CompleteAsync(delivered, failed, CancellationToken.None);
        return (delivered.Count, failed.Count);
    }

    // Waits for every delivery's outcome. A failed delivery is inspected per row by the caller. On
    // a stop, acknowledgements of messages already handed over usually follow within milliseconds:
    // they get StopGrace to arrive before the round is marked with what it has.
    private async Task AcknowledgedAsync(Task[] deliveries, CancellationToken cancellationToken)
    {
        var all = Task.WhenAll(deliveries);
        try
        {
            await all.WaitAsync(cancellationToken);
        }
        catch (ProduceException<string?, byte[]?>)
        {
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Task.WhenAny(all, Task.Delay(StopGrace, _time, CancellationToken.None));
        }
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
            Data = JsonSerializer.Deserialize(message.Data, UserEventJsonContext.Default.JsonElement),
        }.SetAuthContext(message.AuthType, message.AuthId);
        if (_events.SchemaBaseUri is { } schemas)
        {
            cloudEvent.DataSchema = new Uri(schemas, UserEventSchemas.FileOf(message.Type));
        }

        var parent = message.TraceParent is not null && ActivityContext.TryParse(message.TraceParent, message.TraceState, out var context)
            ? context
            : default;
        return _publisher.PublishAsync(_events.Topic, message.Subject, cloudEvent, parent, cancellationToken);
    }

    private async Task RefreshStatisticsAsync(CancellationToken cancellationToken)
    {
        var (count, oldest) = await _store.PendingStatisticsAsync(cancellationToken);
        Volatile.Write(ref _pending, count);
        Volatile.Write(ref _oldestAgeSeconds, oldest is null ? 0 : (_time.GetUtcNow() - oldest.Value).TotalSeconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Count} delivered outbox row(s)")]
    private static partial void LogPruned(ILogger logger, int count);

    /// <inheritdoc />
    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }
}
