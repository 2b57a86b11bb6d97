using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Extensions;
using Confluent.Kafka;
using UserAudit.CloudEvents.Core;

namespace UserAudit.CloudEvents.Kafka;

/// <summary>The encoding half of the binding: a CloudEvent to a Kafka message, structured or binary.</summary>
public static partial class KafkaCloudEventExtensions
{
    /// <summary>
    /// Encodes the event as a Kafka message with an explicit key, which the binding leaves to the
    /// application (section 3.1 of the binding).
    /// </summary>
    /// <typeparam name="TKey">The key type, for example <see cref="string"/>, <c>byte[]</c> or <see cref="Null"/>.</typeparam>
    /// <param name="cloudEvent">The event; id, source and type must be set.</param>
    /// <param name="contentMode">Binary (attributes in headers) or structured (the whole event in the value).</param>
    /// <param name="formatter">The event formatter that encodes the data (binary) or the event (structured).</param>
    /// <param name="key">The message key; may be null.</param>
    /// <exception cref="CloudEventBindingException">The event lacks a required attribute, or the formatter cannot encode it.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="contentMode"/> is neither binary nor structured.</exception>
    public static Message<TKey, byte[]?> ToKafkaMessage<TKey>(this CloudEvent cloudEvent, ContentMode contentMode, CloudEventFormatter formatter, TKey key)
    {
        EventValidation.RequireEncodable(cloudEvent);
        ArgumentNullException.ThrowIfNull(formatter);
        var message = new Message<TKey, byte[]?> { Key = key };
        switch (contentMode)
        {
            case ContentMode.Structured:
                message.Value = EncodeStructured(cloudEvent, formatter, out string contentType);
                message.Headers = new Headers { { CloudEventKafkaHeaders.ContentType, StrictUtf8.Encoding.GetBytes(contentType) } };
                break;
            case ContentMode.Binary:
                message.Headers = EncodeBinaryHeaders(cloudEvent);
                message.Value = cloudEvent.Data is null ? null : EncodeBinaryData(cloudEvent, formatter);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(contentMode), contentMode, "Kafka supports the binary and structured content modes only.");
        }
        return message;
    }

    /// <summary>
    /// Encodes the event as a Kafka message with a string key: the <c>partitionkey</c> attribute when
    /// <see cref="KafkaBindingOptions.MapPartitionKeyToKey"/> is set, null otherwise. The
    /// <c>partitionkey</c> attribute is transmitted with the event in both cases.
    /// </summary>
    /// <param name="cloudEvent">The event; id, source and type must be set.</param>
    /// <param name="contentMode">Binary (attributes in headers) or structured (the whole event in the value).</param>
    /// <param name="formatter">The event formatter that encodes the data (binary) or the event (structured).</param>
    /// <param name="options">Binding choices; null means <see cref="KafkaBindingOptions.Default"/>.</param>
    /// <exception cref="CloudEventBindingException">The event lacks a required attribute, or the formatter cannot encode it.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="contentMode"/> is neither binary nor structured.</exception>
    public static Message<string?, byte[]?> ToKafkaMessage(this CloudEvent cloudEvent, ContentMode contentMode, CloudEventFormatter formatter, KafkaBindingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        string? key = (options ?? KafkaBindingOptions.Default).MapPartitionKeyToKey
            ? cloudEvent[Partitioning.PartitionKeyAttribute.Name] as string
            : null;
        return cloudEvent.ToKafkaMessage(contentMode, formatter, key);
    }

    private static byte[] EncodeStructured(CloudEvent cloudEvent, CloudEventFormatter formatter, out string contentType)
    {
        var wire = EventEncoding.ForWire(cloudEvent);
        System.Net.Mime.ContentType? mediaType = null;
        var body = EventEncoding.Run(
            () => formatter.EncodeStructuredModeMessage(wire, out mediaType),
            "The formatter cannot encode the event in structured mode.");
        // The whole media type, parameters included: the official binding drops the charset.
        contentType = mediaType!.ToString();
        return body;
    }

    private static Headers EncodeBinaryHeaders(CloudEvent cloudEvent)
    {
        var headers = new Headers
        {
            { CloudEventKafkaHeaders.SpecVersion, SpecVersion10.ToArray() },
        };
        foreach (var pair in cloudEvent.GetPopulatedAttributes())
        {
            headers.Add(CloudEventKafkaHeaders.Of(pair.Key.Name), pair.Value is DateTimeOffset timestamp
                ? Rfc3339Timestamp.FormatUtf8(timestamp)
                : StrictUtf8.Encoding.GetBytes(EventEncoding.FormatValue(pair.Key, pair.Value)));
        }
        return headers;
    }

    private static byte[] EncodeBinaryData(CloudEvent cloudEvent, CloudEventFormatter formatter) =>
        EventEncoding.Run(
            () => formatter.EncodeBinaryModeEventData(cloudEvent),
            "The formatter cannot encode the event's data for its data content type.");
}
