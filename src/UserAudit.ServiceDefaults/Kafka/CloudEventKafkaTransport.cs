using System.Diagnostics;
using System.Text;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Confluent.Kafka;
using UserAudit.CloudEvents.Kafka;

namespace UserAudit.ServiceDefaults.Kafka;

/// <summary>
/// Publishes CloudEvents to Kafka in binary content mode with a <c>publish</c> span. The span's
/// context travels twice: as the CloudEvents distributed tracing extension (so it survives any
/// hop that keeps the event) and as W3C <c>traceparent</c>/<c>tracestate</c> Kafka headers (for
/// tools that only read headers).
/// </summary>
public sealed class CloudEventKafkaPublisher(IProducer<string?, byte[]?> producer, KafkaTelemetry telemetry)
{
    /// <summary>The formatter events are encoded with.</summary>
    public static CloudEventFormatter Formatter { get; } = new JsonEventFormatter();

    /// <summary>
    /// Produces <paramref name="cloudEvent"/> to <paramref name="topic"/> with message key
    /// <paramref name="key"/> and completes when the broker acknowledged it.
    /// </summary>
    /// <param name="topic">Destination topic.</param>
    /// <param name="key">Message key: events with the same key keep their order.</param>
    /// <param name="cloudEvent">The event; its trace context is replaced by the publish span's.</param>
    /// <param name="parent">Context the publish span continues (for example the HTTP request that caused the event).</param>
    /// <param name="cancellationToken">Stops waiting; the message may still be delivered.</param>
    /// <exception cref="ProduceException{TKey,TValue}">The broker did not acknowledge the message.</exception>
    public async Task<DeliveryResult<string?, byte[]?>> PublishAsync(string topic, string? key, CloudEvent cloudEvent, ActivityContext parent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        using var activity = KafkaTelemetry.ActivitySource.StartActivity($"publish {topic}", ActivityKind.Producer, parent);
        if (activity is not null)
        {
            activity.SetTag("messaging.system", "kafka");
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.operation.name", "publish");
            activity.SetTag("messaging.destination.name", topic);
            activity.SetTag("messaging.message.id", cloudEvent.Id);
            activity.SetTag("messaging.kafka.message.key", key);
            activity.SetTag("cloudevents.event_id", cloudEvent.Id);
            activity.SetTag("cloudevents.event_type", cloudEvent.Type);
            cloudEvent.SetTraceContext(activity.Context);
        }

        var message = cloudEvent.ToKafkaMessage(ContentMode.Binary, Formatter, key);
        if (activity is not null)
        {
            message.Headers.Add(TraceHeaders.TraceParent, Encoding.ASCII.GetBytes(TraceHeaders.Format(activity.Context)));
            if (!string.IsNullOrEmpty(activity.TraceStateString))
            {
                message.Headers.Add(TraceHeaders.TraceState, Encoding.ASCII.GetBytes(activity.TraceStateString));
            }
        }

        var started = Stopwatch.GetTimestamp();
        var destination = new KeyValuePair<string, object?>("messaging.destination.name", topic);
        try
        {
            var result = await producer.ProduceAsync(topic, message, cancellationToken);
            telemetry.SentMessages.Add(1, destination);
            telemetry.PublishDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, destination);
            activity?.SetTag("messaging.destination.partition.id", result.Partition.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            activity?.SetTag("messaging.kafka.offset", result.Offset.Value);
            return result;
        }
        catch (ProduceException<string?, byte[]?> ex)
        {
            telemetry.PublishFailures.Add(1, destination, new KeyValuePair<string, object?>("error.type", ex.Error.Code.ToString()));
            activity?.SetStatus(ActivityStatusCode.Error, ex.Error.Code.ToString());
            activity?.SetTag("error.type", ex.Error.Code.ToString());
            throw;
        }
    }
}

/// <summary>Starts the consumer's <c>process</c> span inside the producer's trace.</summary>
public static class CloudEventKafkaTracing
{
    /// <summary>
    /// Starts a <c>process</c> span whose parent is the context the event carries (distributed
    /// tracing extension, else the <c>traceparent</c> header), so the producer's trace goes on;
    /// the producer's context is also added as a link, as the messaging conventions suggest.
    /// </summary>
    public static Activity? StartProcess<TKey>(ConsumeResult<TKey, byte[]?> result, CloudEvent? cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(result);
        var parent = default(ActivityContext);
        if (cloudEvent is null || !cloudEvent.TryGetTraceContext(out parent))
        {
            TryReadHeader(result.Message.Headers, out parent);
        }

        ActivityLink[]? links = parent == default ? null : [new ActivityLink(parent)];
        var activity = KafkaTelemetry.ActivitySource.StartActivity(ActivityKind.Consumer, parent, links: links, name: $"process {result.Topic}");
        if (activity is not null)
        {
            activity.SetTag("messaging.system", "kafka");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.destination.name", result.Topic);
            activity.SetTag("messaging.destination.partition.id", result.Partition.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            activity.SetTag("messaging.kafka.offset", result.Offset.Value);
            activity.SetTag("messaging.message.id", cloudEvent?.Id);
            activity.SetTag("cloudevents.event_id", cloudEvent?.Id);
            activity.SetTag("cloudevents.event_type", cloudEvent?.Type);
        }

        return activity;
    }

    private static bool TryReadHeader(Headers? headers, out ActivityContext context)
    {
        context = default;
        if (headers is null || !headers.TryGetLastBytes(TraceHeaders.TraceParent, out var bytes))
        {
            return false;
        }

        string? state = headers.TryGetLastBytes(TraceHeaders.TraceState, out var stateBytes) ? Encoding.ASCII.GetString(stateBytes) : null;
        return ActivityContext.TryParse(Encoding.ASCII.GetString(bytes), state, out context);
    }
}

/// <summary>W3C trace context header names and format.</summary>
public static class TraceHeaders
{
    /// <summary>W3C <c>traceparent</c>.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>W3C <c>tracestate</c>.</summary>
    public const string TraceState = "tracestate";

    /// <summary>Formats a context as a version-00 <c>traceparent</c> value.</summary>
    public static string Format(ActivityContext context) =>
        $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{((context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00")}";
}
