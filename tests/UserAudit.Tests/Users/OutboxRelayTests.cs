using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Reflection;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using UserAudit.CloudEvents;
using UserAudit.ServiceDefaults.Kafka;
using UserAudit.Tests.Infrastructure;
using UserService.Events;
using UserService.Outbox;
using Xunit;

namespace UserAudit.Tests.Users;

/// <summary>
/// The relay stopped while a round waits for the broker: what the broker acknowledges during the
/// stop is marked delivered (a redeploy publishes nothing twice), and what it never acknowledges
/// stays pending for the next start, without holding the stop beyond its grace.
/// </summary>
public sealed class OutboxRelayTests : IAsyncLifetime
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private TemporaryUserDatabase _db = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private OutboxStore Outbox => _db.Outbox;

    public async ValueTask InitializeAsync() => _db = await TemporaryUserDatabase.CreateAsync(TimeProvider.System, Ct);

    [Fact]
    public async Task Acknowledgements_that_arrive_during_a_stop_are_marked_so_nothing_is_published_twice()
    {
        await AddAsync(5);
        var (producer, broker) = HeldProducer.Create();
        using var relay = Relay(producer, TimeProvider.System);
        await relay.StartAsync(Ct);
        await Eventually.TrueAsync(_ => Task.FromResult(broker.Held == 5), "five messages handed to the producer", cancellationToken: Ct);

        var stopping = relay.StopAsync(Ct);
        broker.AcknowledgeAll();
        await stopping;

        Assert.Equal(0, (await Outbox.PendingStatisticsAsync(Ct)).Count);
    }

    [Fact]
    public async Task A_stop_without_acknowledgements_leaves_the_round_pending_and_ends_after_the_grace()
    {
        await AddAsync(3);
        var clock = new GraceClock(DateTimeOffset.UtcNow);
        var (producer, broker) = HeldProducer.Create();
        using var relay = Relay(producer, clock);
        await relay.StartAsync(Ct);
        await Eventually.TrueAsync(_ => Task.FromResult(broker.Held == 3), "three messages handed to the producer", cancellationToken: Ct);

        var stopping = relay.StopAsync(Ct);
        // The clock moves only once the relay waits for the grace, so no real time slips into it.
        await clock.GraceStarted.Task.WaitAsync(Eventually.DefaultTimeout, Ct);
        clock.Advance(OutboxRelay.StopGrace - TimeSpan.FromMilliseconds(1));
        var endedEarly = await Task.WhenAny(stopping, Task.Delay(100, Ct)) == stopping;
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await stopping.WaitAsync(Eventually.DefaultTimeout, Ct);

        Assert.False(endedEarly, "the stop ended before the grace was over");
        var left = await Outbox.ReadPendingAsync(10, Ct);
        Assert.Equal(3, left.Count);
        // Not counted as failed attempts: nothing was refused, the stop came first.
        Assert.All(left, row => Assert.Equal(0, row.Attempts));
    }

    private Task<bool> AddAsync(int count) => _db.Writer.WriteAsync(scope =>
    {
        for (var i = 0; i < count; i++)
        {
            Outbox.Add(scope, new OutboxMessage(Guid.CreateVersion7().ToString(), UserEventTypes.Updated, "user-1",
                DateTimeOffset.UnixEpoch, "{}", null, null, AuthTypes.User, "admin-1"));
        }

        return true;
    }, Ct);

    private OutboxRelay Relay(IProducer<string?, byte[]?> producer, TimeProvider time)
    {
        var meters = _services.GetRequiredService<IMeterFactory>();
        var publisher = new CloudEventKafkaPublisher(producer, new KafkaTelemetry(meters), new KafkaProducerSettings());
        return new OutboxRelay(Outbox, new OutboxSignal(), new RelayLease(_db.Database, NullLogger<RelayLease>.Instance), publisher,
            Options.Create(new OutboxOptions()), Options.Create(new EventOptions()), meters, time, NullLogger<OutboxRelay>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        await _services.DisposeAsync();
    }

    /// <summary>
    /// A producer whose broker acknowledges only when told. As Confluent.Kafka's does, a cancelled
    /// token cancels the wait for an acknowledgement, not the message.
    /// </summary>
    public class HeldProducer : DispatchProxy
    {
        private readonly ConcurrentQueue<(TaskCompletionSource<DeliveryResult<string?, byte[]?>> Ack, DeliveryResult<string?, byte[]?> Result)> _held = new();

        /// <summary>Messages handed over so far.</summary>
        public int Held => _held.Count;

        public static (IProducer<string?, byte[]?> Producer, HeldProducer Broker) Create()
        {
            var producer = Create<IProducer<string?, byte[]?>, HeldProducer>();
            return (producer, (HeldProducer)(object)producer);
        }

        /// <summary>The broker acknowledges every message handed over so far.</summary>
        public void AcknowledgeAll()
        {
            foreach (var (ack, result) in _held)
            {
                ack.TrySetResult(result);
            }
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            switch (targetMethod.Name)
            {
                case "ProduceAsync" when args is [string topic, Message<string?, byte[]?> message, CancellationToken cancellationToken]:
                    var ack = new TaskCompletionSource<DeliveryResult<string?, byte[]?>>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _held.Enqueue((ack, new DeliveryResult<string?, byte[]?> { Topic = topic, Message = message, Status = PersistenceStatus.Persisted }));
                    cancellationToken.Register(() => ack.TrySetCanceled(cancellationToken));
                    return ack.Task;
                case "Dispose":
                    return null;
                default:
                    throw new NotSupportedException($"The held producer does not support {targetMethod.Name}.");
            }
        }
    }
}

/// <summary>A fake clock that tells when the relay starts waiting for its stop grace.</summary>
internal sealed class GraceClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    public TaskCompletionSource GraceStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime == OutboxRelay.StopGrace)
        {
            GraceStarted.TrySetResult();
        }

        return timer;
    }
}
