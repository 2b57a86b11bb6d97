using System.Diagnostics;
using System.Text;
using CloudNative.CloudEvents;
using Confluent.Kafka;
using UserAudit.CloudEvents;
using UserAudit.CloudEvents.Kafka;

namespace UserAudit.ServiceDefaults.Kafka;

/// <summary>
/// Publishes CloudEvents to Kafka in binary content mode with a <c>publish</c> span. The span's
/// context travels twice: as the CloudEvents distributed tracing extension (so it survives any
/// hop that keeps the event) and as W3C <c>traceparent</c>/<c>tracestate</c> Kafka headers (for
/// tools that only read headers).
/// </summary>
public sealed class CloudEventKafkaPublisher(IProducer<string?, byte[]?> producer, KafkaTelemetry telemetry, KafkaProducerSettings settings)
{
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
        using var activity = settings.DisableTracing
            ? null
            : KafkaTelemetry.ActivitySource.StartActivity($"publish {topic}", ActivityKind.Producer, parent);
        if (activity is null && parent != default)
        {
            // No span of ours (tracing off, or nobody listening): the caller's context goes on.
            cloudEvent.SetTraceContext(parent);
        }

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

        var message = cloudEvent.ToKafkaMessage(ContentMode.Binary, CloudEventJson.Formatter, key);
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
