using CloudNative.CloudEvents;
using Confluent.Kafka;
using UserAudit.CloudEvents.Core;

namespace UserAudit.CloudEvents.Kafka;

/// <summary>
/// The CloudEvents Kafka protocol binding (binary and structured content modes) for Confluent.Kafka
/// messages with <c>byte[]</c> values.
/// </summary>
/// <remarks>
/// <para>Binary mode: <c>datacontenttype</c> travels as the <c>content-type</c> header and every other
/// attribute as a <c>ce_&lt;name&gt;</c> header holding the UTF-8 bytes of its canonical string form;
/// the value is the event data as encoded by the formatter, and an event without data is a message
/// with a null value (a tombstone on compacted topics).</para>
/// <para>Structured mode: the value is the formatter's structured encoding and <c>content-type</c> is
/// the format's full media type, charset included.</para>
/// <para>Every failure to map a message is a <see cref="CloudEventBindingException"/>; its message
/// names the header or attribute and never repeats a header value.</para>
/// </remarks>
public static partial class KafkaCloudEventExtensions
{
    private static ReadOnlySpan<byte> SpecVersion10 => "1.0"u8;

    // Not part of the binding (datacontenttype travels as content-type), but the official
    // JavaScript SDK (cloudevents 10) writes it next to content-type in binary mode.
    private const string DataContentTypeCopy = CloudEventKafkaHeaders.Prefix + "datacontenttype";

    /// <summary>
    /// Whether the message carries a single CloudEvent: a <c>ce_specversion</c> header (binary mode)
    /// or a <c>content-type</c> header starting with <c>application/cloudevents</c> (structured mode).
    /// A batch content type (<c>application/cloudevents-batch</c>) alone does not count. Never throws
    /// for malformed headers and does not allocate.
    /// </summary>
    /// <param name="message">The message to inspect.</param>
    public static bool IsCloudEvent<TKey>(this Message<TKey, byte[]?> message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var headers = message.Headers;
        if (headers is null)
        {
            return false;
        }
        for (int i = 0; i < headers.Count; i++)
        {
            var header = headers[i];
            if (header.Key == CloudEventKafkaHeaders.SpecVersion)
            {
                return true;
            }
            if (header.Key == CloudEventKafkaHeaders.ContentType && header.GetValueBytes() is { } contentType && MediaTypes.IsStructured(contentType))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Decodes a Kafka message into a validated CloudEvent, in structured mode when the
    /// <c>content-type</c> header is a CloudEvents media type and in binary mode otherwise.
    /// In binary mode a <c>ce_datacontenttype</c> header, which the binding does not define but the
    /// official JavaScript SDK writes, is accepted when it equals <c>content-type</c> or stands alone.
    /// </summary>
    /// <param name="message">The consumed message. Its key is not read: it is the application's, not the event's.</param>
    /// <param name="formatter">The event formatter: decodes the structured value, or the data in binary mode.</param>
    /// <param name="extensionAttributes">Extension attribute definitions that give known extensions their
    /// types (for example an integer); unknown <c>ce_</c> headers become string extensions.</param>
    /// <returns>The decoded event. Its specversion is 1.0 and id, source and type are present and non-empty.</returns>
    /// <exception cref="CloudEventBindingException">The message is not a valid CloudEvent; <see cref="CloudEventBindingException.Error"/> says why.</exception>
    public static CloudEvent ToCloudEvent<TKey>(this Message<TKey, byte[]?> message, CloudEventFormatter formatter, params IEnumerable<CloudEventAttribute>? extensionAttributes)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(formatter);
        var headers = message.Headers;
        int contentTypeIndex = -1;
        int specVersionIndex = -1;
        int dataContentTypeCopyIndex = -1;
        if (headers is not null)
        {
            for (int i = 0; i < headers.Count; i++)
            {
                string key = headers[i].Key;
                if (key == CloudEventKafkaHeaders.ContentType)
                {
                    contentTypeIndex = FirstOccurrence(contentTypeIndex, i, key);
                }
                else if (key == CloudEventKafkaHeaders.SpecVersion)
                {
                    specVersionIndex = FirstOccurrence(specVersionIndex, i, key);
                }
                else if (key == DataContentTypeCopy)
                {
                    dataContentTypeCopyIndex = FirstOccurrence(dataContentTypeCopyIndex, i, key);
                }
            }
        }

        byte[]? contentTypeBytes = contentTypeIndex >= 0 ? headers![contentTypeIndex].GetValueBytes() : null;
        if (contentTypeBytes is not null)
        {
            if (MediaTypes.IsBatch(contentTypeBytes))
            {
                throw new CloudEventBindingException(
                    CloudEventBindingError.BatchNotSupported, CloudEventKafkaHeaders.ContentType,
                    "Header 'content-type' declares a CloudEvents batch; the Kafka protocol binding does not support batch content mode.");
            }
            if (MediaTypes.IsStructured(contentTypeBytes))
            {
                return DecodeStructured(message.Value, contentTypeBytes, formatter, extensionAttributes);
            }
        }
        if (specVersionIndex < 0)
        {
            throw new CloudEventBindingException(
                CloudEventBindingError.NotACloudEvent, CloudEventKafkaHeaders.SpecVersion,
                "The message is not a CloudEvent: it has no 'ce_specversion' header and its 'content-type' header is not a CloudEvents media type.");
        }
        return DecodeBinary(message, headers!, specVersionIndex, contentTypeIndex, dataContentTypeCopyIndex, contentTypeBytes, formatter, extensionAttributes);
    }

    private static int FirstOccurrence(int seen, int index, string header) =>
        seen < 0
            ? index
            : throw new CloudEventBindingException(
                CloudEventBindingError.DuplicateHeader, header, $"Header '{header}' appears more than once.");

    private static CloudEvent DecodeStructured(byte[]? value, byte[] contentTypeBytes, CloudEventFormatter formatter, IEnumerable<CloudEventAttribute>? extensionAttributes)
    {
        string contentTypeText = StrictUtf8.Decode(contentTypeBytes, CloudEventKafkaHeaders.ContentType);
        var contentType = MediaTypes.Parse(contentTypeText, CloudEventKafkaHeaders.ContentType);
        if (value is null)
        {
            throw new CloudEventBindingException(
                CloudEventBindingError.InvalidData, "value",
                "A structured-mode message must have a value; this one has none.");
        }
        CloudEvent cloudEvent;
        try
        {
            cloudEvent = formatter.DecodeStructuredModeMessage(value, contentType, extensionAttributes);
        }
        catch (Exception e) when (FormatterFailure.Is(e))
        {
            throw JsonEventDiagnostics.DecodingFailure(value, contentType, "value", e, extensionAttributes);
        }
        EventValidation.Validate(cloudEvent, string.Empty, checkValues: true);
        return EventValidation.RequireUtf8JsonData(cloudEvent, "data");
    }

    private static CloudEvent DecodeBinary<TKey>(
        Message<TKey, byte[]?> message, Headers headers, int specVersionIndex, int contentTypeIndex, int dataContentTypeCopyIndex, byte[]? contentTypeBytes,
        CloudEventFormatter formatter, IEnumerable<CloudEventAttribute>? extensionAttributes)
    {
        byte[]? specVersion = headers[specVersionIndex].GetValueBytes();
        if (specVersion is null || !specVersion.AsSpan().SequenceEqual(SpecVersion10))
        {
            if (specVersion is not null)
            {
                // Report broken UTF-8 as such before calling it an unknown version.
                StrictUtf8.Decode(specVersion, CloudEventKafkaHeaders.SpecVersion);
            }
            throw AttributeErrors.UnsupportedSpecVersion(CloudEventKafkaHeaders.SpecVersion);
        }

        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0, extensionAttributes);
        if (contentTypeBytes is not null)
        {
            string dataContentType = StrictUtf8.Decode(contentTypeBytes, CloudEventKafkaHeaders.ContentType);
            AttributeDecoding.Set(cloudEvent, CloudEventsSpecVersion.V1_0.DataContentTypeAttribute, dataContentType, CloudEventKafkaHeaders.ContentType);
        }
        if (dataContentTypeCopyIndex >= 0)
        {
            ReadDataContentTypeCopy(cloudEvent, headers[dataContentTypeCopyIndex].GetValueBytes());
        }

        // Known attributes already seen, one bit each: a cheaper duplicate check than asking the
        // event for each of them.
        int seen = 0;
        for (int i = 0; i < headers.Count; i++)
        {
            if (i == specVersionIndex || i == contentTypeIndex || i == dataContentTypeCopyIndex)
            {
                continue;
            }
            var header = headers[i];
            string key = header.Key;
            // Headers outside the ce_ namespace belong to the application (or to other conventions,
            // such as a bare W3C traceparent) and are not part of the event.
            if (!key.StartsWith(CloudEventKafkaHeaders.Prefix, StringComparison.Ordinal))
            {
                continue;
            }
            var known = CloudEventKafkaHeaders.Find(key);
            if (known is not null)
            {
                if ((seen & known.Bit) != 0)
                {
                    throw new CloudEventBindingException(
                        CloudEventBindingError.DuplicateHeader, key,
                        $"Header '{key}' appears more than once; attribute '{known.Name}' must have exactly one value.");
                }
                seen |= known.Bit;
            }
            var attribute = AttributeDecoding.Resolve(
                cloudEvent, known, known?.Name ?? key[CloudEventKafkaHeaders.Prefix.Length..], key);
            byte[]? bytes = header.GetValueBytes();
            if (bytes is null)
            {
                throw new CloudEventBindingException(
                    CloudEventBindingError.InvalidAttributeValue, key, $"Header '{key}' has no value.");
            }
            string text = StrictUtf8.Decode(bytes, key);
            AttributeDecoding.Set(cloudEvent, attribute, text, key, checkDuplicate: known is null);
        }

        EventValidation.Validate(cloudEvent, CloudEventKafkaHeaders.Prefix, checkValues: false);

        // A null value is an event without data (a tombstone); an empty value is empty data.
        if (message.Value is { } value)
        {
            try
            {
                formatter.DecodeBinaryModeEventData(value, cloudEvent);
            }
            catch (FormatException e)
            {
                throw new CloudEventBindingException(
                    CloudEventBindingError.InvalidContentType, CloudEventKafkaHeaders.ContentType,
                    "Header 'content-type' is not a valid media type.", e);
            }
            catch (Exception e) when (FormatterFailure.Is(e))
            {
                throw new CloudEventBindingException(
                    CloudEventBindingError.InvalidData, "value",
                    "The message value could not be decoded as the data content type declared in header 'content-type'.", e);
            }
            EventValidation.RequireUtf8JsonData(cloudEvent, "value");
        }
        return cloudEvent;
    }

    /// <summary>
    /// Accepts a <c>ce_datacontenttype</c> header that repeats <c>content-type</c>, or stands in for
    /// it, so that the JavaScript SDK's messages are read; a different value would leave the data's
    /// content type ambiguous and is refused.
    /// </summary>
    private static void ReadDataContentTypeCopy(CloudEvent cloudEvent, byte[]? bytes)
    {
        if (bytes is null)
        {
            throw new CloudEventBindingException(
                CloudEventBindingError.InvalidAttributeValue, DataContentTypeCopy, $"Header '{DataContentTypeCopy}' has no value.");
        }
        string copy = StrictUtf8.Decode(bytes, DataContentTypeCopy);
        if (cloudEvent.DataContentType is null)
        {
            AttributeDecoding.Set(cloudEvent, CloudEventsSpecVersion.V1_0.DataContentTypeAttribute, copy, DataContentTypeCopy);
        }
        else if (!string.Equals(copy, cloudEvent.DataContentType, StringComparison.Ordinal))
        {
            throw new CloudEventBindingException(
                CloudEventBindingError.DuplicateHeader, DataContentTypeCopy,
                $"Header '{DataContentTypeCopy}' differs from header 'content-type'; attribute 'datacontenttype' must have exactly one value.");
        }
    }
}
