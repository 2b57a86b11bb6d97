using System.Diagnostics;
using System.Text;
using CloudNative.CloudEvents;
using Confluent.Kafka;
using UserAudit.CloudEvents;

namespace UserAudit.ServiceDefaults.Kafka;

/// <summary>Starts the consumer's <c>process</c> span inside the producer's trace.</summary>
public static class CloudEventKafkaTracing
{
    /// <summary>
    /// Starts a <c>process</c> span whose parent is the context the event carries (distributed
    /// tracing extension, else the <c>traceparent</c> header), so the producer's trace goes on;
    /// the producer's context is also added as a link, as the messaging conventions suggest.
    /// </summary>
    /// <param name="result">The consumed message.</param>
    /// <param name="cloudEvent">Its decoded event, when it is one.</param>
    /// <param name="settings">The consumer's settings: no span when <see cref="KafkaClientSettings.DisableTracing"/> is set.</param>
    public static Activity? StartProcess<TKey>(ConsumeResult<TKey, byte[]?> result, CloudEvent? cloudEvent, KafkaConsumerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.DisableTracing)
        {
            return null;
        }

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
