using System.Buffers;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Core;
using UserAudit.CloudEvents;
using UserAudit.ServiceDefaults.Tracing;

namespace AuditService.Store;

/// <summary>
/// A CloudEvent as stored: every attribute, extensions by name, the data (kept as JSON when
/// the content type is JSON, else as bytes), where it came from, when it arrived and, for an event
/// sent over HTTP, the name of the ingest key that sent it.
/// </summary>
public sealed record AuditRecord(
    string Source,
    string Id,
    string Type,
    string SpecVersion,
    string? Subject,
    DateTimeOffset? Time,
    string? DataContentType,
    string? DataSchema,
    IReadOnlyDictionary<string, string> Extensions,
    string? DataJson,
    byte[]? DataBytes,
    KafkaCoordinates? Kafka,
    DateTimeOffset ReceivedAt,
    string? IngestedBy = null)
{
    /// <summary>
    /// The size of the event's content in bytes, its strings counted in UTF-8 as they are stored: its
    /// data, attributes and extensions. Read pages budget on it; it is never less than the stored data
    /// alone, which PostgreSQL measures to cut a page short on the server.
    /// </summary>
    public long ContentSize
    {
        get
        {
            long size = Utf8(DataJson) + (DataBytes?.Length ?? 0) + Utf8(Source) + Utf8(Id) + Utf8(Type) + Utf8(SpecVersion)
                + Utf8(Subject) + Utf8(DataContentType) + Utf8(DataSchema) + Utf8(IngestedBy);
            foreach (var (name, value) in Extensions)
            {
                size += Utf8(name) + Utf8(value);
            }

            return size;

            static int Utf8(string? text) => text is null ? 0 : Encoding.UTF8.GetByteCount(text);
        }
    }

    /// <summary>
    /// Maps a decoded event; <paramref name="formatter"/> encodes non-JSON data back to bytes. JSON
    /// data is stored minified (re-serialized), so no stored event holds a line break outside a
    /// string; a <c>traceparent</c> that is not W3C is dropped and <c>tracestate</c> is bounded
    /// (<see cref="W3CTraceContext"/>): they describe a delivery, are not part of the event's content,
    /// and are kept forever.
    /// </summary>
    /// <exception cref="CloudEventBindingException">The data cannot be stored (<see cref="CloudEventBindingError.InvalidData"/>, member <c>data</c>).</exception>
    public static AuditRecord From(CloudEvent cloudEvent, CloudEventFormatter formatter, KafkaCoordinates? kafka, DateTimeOffset receivedAt, string? ingestedBy = null)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        ArgumentNullException.ThrowIfNull(formatter);
        var extensions = new Dictionary<string, string>();
        foreach (var (attribute, value) in cloudEvent.GetPopulatedAttributes())
        {
            if (attribute.IsExtension)
            {
                extensions[attribute.Name] = attribute.Format(value);
            }
        }

        SanitizeTraceContext(extensions);

        string? json = null;
        byte[]? bytes = null;
        try
        {
            switch (cloudEvent.Data)
            {
                case null:
                    break;
                case JsonElement element:
                    json = Minify(element);
                    break;
                case string text:
                    // The JSON format carries any non-JSON text (application/xml, say) as a string;
                    // the SDK's formatter encodes strings for text/* types only.
                    bytes = MimeUtilities.GetEncoding(MimeUtilities.CreateContentTypeOrNull(cloudEvent.DataContentType)).GetBytes(text);
                    break;
                default:
                    bytes = formatter.EncodeBinaryModeEventData(cloudEvent).ToArray();
                    break;
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            // Data the decoder accepted but that cannot be stored as it is: JSON with an unpaired
            // surrogate escape, or a charset this runtime does not know. The message names no value.
            throw new CloudEventBindingException(CloudEventBindingError.InvalidData, "data",
                $"The event's data cannot be stored ({ex.GetType().Name}): JSON data must be valid Unicode, and text data's charset one this service knows.");
        }

        return new AuditRecord(
            cloudEvent.Source!.OriginalString, cloudEvent.Id!, cloudEvent.Type!, cloudEvent.SpecVersion.VersionId,
            cloudEvent.Subject, cloudEvent.Time, cloudEvent.DataContentType, cloudEvent.DataSchema?.OriginalString,
            extensions, json, bytes, kafka, receivedAt, ingestedBy);
    }

    private static string Minify(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, StructuredCloudEventJson.WriterOptions))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void SanitizeTraceContext(Dictionary<string, string> extensions)
    {
        var traceParent = DistributedTracingExtension.TraceParent.Name;
        var traceState = DistributedTracingExtension.TraceState.Name;
        if (extensions.TryGetValue(traceParent, out var parent) && !W3CTraceContext.IsValidTraceParent(parent))
        {
            extensions.Remove(traceParent);
        }

        if (extensions.TryGetValue(traceState, out var state))
        {
            var sanitized = extensions.ContainsKey(traceParent) ? W3CTraceContext.SanitizeTraceState(state) : null;
            if (sanitized is null)
            {
                extensions.Remove(traceState);
            }
            else
            {
                extensions[traceState] = sanitized;
            }
        }
    }
}
