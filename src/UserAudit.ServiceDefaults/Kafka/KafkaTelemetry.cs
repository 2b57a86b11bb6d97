using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Hosting;

namespace UserAudit.ServiceDefaults.Kafka;

/// <summary>
/// The Kafka integration's activity source and instruments. Names follow OpenTelemetry's
/// messaging semantic conventions where they define one.
/// </summary>
public sealed class KafkaTelemetry : IDisposable
{
    /// <summary>Activity source of publish and process spans.</summary>
    public static readonly ActivitySource ActivitySource = new(UserAuditTelemetry.Kafka);

    private readonly Meter _meter;
    private readonly Dictionary<string, StatisticsSnapshot> _latest = [];
    private readonly Lock _gate = new();

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public KafkaTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(UserAuditTelemetry.Kafka);
        SentMessages = _meter.CreateCounter<long>("messaging.client.sent.messages", "{message}", "Messages the producer had acknowledged by the broker.");
        PublishFailures = _meter.CreateCounter<long>("messaging.client.publish.failures", "{message}", "Messages the broker did not acknowledge, by error.type.");
        PublishDuration = _meter.CreateHistogram<double>("messaging.client.operation.duration", "s", "Time from produce to the broker's acknowledgement.");
        ConsumedMessages = _meter.CreateCounter<long>("messaging.client.consumed.messages", "{message}", "Messages consumed.");
        ConsumeFailures = _meter.CreateCounter<long>("messaging.client.consume.failures", "{failure}", "Failed consume calls and message processing, by error.type.");
        ProcessDuration = _meter.CreateHistogram<double>("messaging.process.duration", "s", "Time to process a consumed batch.");

        _meter.CreateObservableGauge("messaging.kafka.client.queue.messages", () => Observe(s => s.QueueMessages), "{message}", "Messages waiting in librdkafka's queues (msg_cnt).");
        _meter.CreateObservableGauge("messaging.kafka.client.queue.bytes", () => Observe(s => s.QueueBytes), "By", "Bytes waiting in librdkafka's queues (msg_size).");
        _meter.CreateObservableCounter("messaging.kafka.client.sent.bytes", () => Observe(s => s.TxBytes), "By", "Bytes sent to brokers.");
        _meter.CreateObservableCounter("messaging.kafka.client.received.bytes", () => Observe(s => s.RxBytes), "By", "Bytes received from brokers.");
        _meter.CreateObservableCounter("messaging.kafka.client.sent.requests.messages", () => Observe(s => s.TxMessages), "{message}", "Messages transmitted to brokers (txmsgs).");
        _meter.CreateObservableCounter("messaging.kafka.client.received.messages", () => Observe(s => s.RxMessages), "{message}", "Messages received from brokers (rxmsgs).");
        _meter.CreateObservableGauge("messaging.kafka.broker.request.latency", ObserveLatency, "ms", "Average broker round trip (rtt.avg) per broker.");
        _meter.CreateObservableGauge("messaging.kafka.consumer.lag", ObserveLag, "{message}", "Consumer lag per topic partition.");
    }

    /// <summary>Messages acknowledged by the broker.</summary>
    public Counter<long> SentMessages { get; }

    /// <summary>Messages the broker did not acknowledge.</summary>
    public Counter<long> PublishFailures { get; }

    /// <summary>Produce-to-acknowledgement time.</summary>
    public Histogram<double> PublishDuration { get; }

    /// <summary>Messages consumed.</summary>
    public Counter<long> ConsumedMessages { get; }

    /// <summary>Consume and processing failures by kind.</summary>
    public Counter<long> ConsumeFailures { get; }

    /// <summary>Processing time of consumed batches.</summary>
    public Histogram<double> ProcessDuration { get; }

    /// <summary>Records one librdkafka statistics report (JSON) of client <paramref name="clientName"/>.</summary>
    public void RecordStatistics(string clientName, string json)
    {
        StatisticsSnapshot snapshot;
        try
        {
            snapshot = StatisticsSnapshot.Parse(json);
        }
        catch (JsonException)
        {
            return; // a malformed report is skipped; the next one replaces it
        }

        lock (_gate)
        {
            _latest[clientName] = snapshot;
        }
    }

    private IEnumerable<Measurement<long>> Observe(Func<StatisticsSnapshot, long> value)
    {
        lock (_gate)
        {
            return [.. _latest.Select(kv => new Measurement<long>(value(kv.Value), new KeyValuePair<string, object?>("messaging.client.id", kv.Key)))];
        }
    }

    private IEnumerable<Measurement<double>> ObserveLatency()
    {
        lock (_gate)
        {
            return [.. _latest.SelectMany(kv => kv.Value.BrokerRttMs.Select(b => new Measurement<double>(b.Value,
                new KeyValuePair<string, object?>("messaging.client.id", kv.Key),
                new KeyValuePair<string, object?>("server.address", b.Key))))];
        }
    }

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        lock (_gate)
        {
            return [.. _latest.SelectMany(kv => kv.Value.ConsumerLag.Select(p => new Measurement<long>(p.Lag,
                new KeyValuePair<string, object?>("messaging.client.id", kv.Key),
                new KeyValuePair<string, object?>("messaging.destination.name", p.Topic),
                new KeyValuePair<string, object?>("messaging.destination.partition.id", p.Partition))))];
        }
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    /// <summary>The parts of a librdkafka statistics report that become metrics.</summary>
    internal sealed record StatisticsSnapshot(
        long QueueMessages, long QueueBytes, long TxBytes, long RxBytes, long TxMessages, long RxMessages,
        IReadOnlyDictionary<string, double> BrokerRttMs, IReadOnlyList<(string Topic, string Partition, long Lag)> ConsumerLag)
    {
        internal static StatisticsSnapshot Parse(string json)
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var rtt = new Dictionary<string, double>();
            if (root.TryGetProperty("brokers", out var brokers))
            {
                foreach (var broker in brokers.EnumerateObject())
                {
                    // Bootstrap pseudo-brokers have no node id; skip them.
                    if (broker.Value.TryGetProperty("nodeid", out var node) && node.GetInt32() >= 0
                        && broker.Value.TryGetProperty("rtt", out var r) && r.TryGetProperty("avg", out var avg))
                    {
                        rtt[broker.Name] = avg.GetInt64() / 1000.0; // microseconds to ms
                    }
                }
            }

            var lag = new List<(string, string, long)>();
            if (root.TryGetProperty("topics", out var topics))
            {
                foreach (var topic in topics.EnumerateObject())
                {
                    if (!topic.Value.TryGetProperty("partitions", out var partitions))
                    {
                        continue;
                    }

                    foreach (var partition in partitions.EnumerateObject())
                    {
                        if (partition.Name != "-1" && partition.Value.TryGetProperty("consumer_lag", out var l) && l.GetInt64() >= 0)
                        {
                            lag.Add((topic.Name, partition.Name, l.GetInt64()));
                        }
                    }
                }
            }

            return new StatisticsSnapshot(
                Long(root, "msg_cnt"), Long(root, "msg_size"), Long(root, "tx_bytes"), Long(root, "rx_bytes"),
                Long(root, "txmsgs"), Long(root, "rxmsgs"), rtt, lag);
        }

        private static long Long(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
    }
}
