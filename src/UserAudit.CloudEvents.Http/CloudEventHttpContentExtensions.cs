using System.Net.Http.Headers;
using CloudNative.CloudEvents;
using UserAudit.CloudEvents.Core;

namespace UserAudit.CloudEvents.Http;

/// <summary>
/// The sending side of the CloudEvents HTTP protocol binding, for HttpClient callers and tests.
/// </summary>
public static class CloudEventHttpContentExtensions
{
    /// <summary>
    /// Encodes one event as HTTP content: in binary mode the data is the body, <c>datacontenttype</c>
    /// the <c>Content-Type</c> and every other attribute a percent-encoded <c>ce-*</c> header; in
    /// structured mode the body is the formatter's encoding of the whole event.
    /// </summary>
    /// <param name="cloudEvent">The event; id, source and type must be set.</param>
    /// <param name="mode">Binary or structured.</param>
    /// <param name="formatter">The event formatter.</param>
    /// <exception cref="CloudEventBindingException">The event lacks a required attribute, or cannot be encoded.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is neither binary nor structured.</exception>
    public static HttpContent ToHttpContent(this CloudEvent cloudEvent, ContentMode mode, CloudEventFormatter formatter)
    {
        EventValidation.RequireEncodable(cloudEvent);
        ArgumentNullException.ThrowIfNull(formatter);
        switch (mode)
        {
            case ContentMode.Binary:
                var content = new ByteArrayContent(cloudEvent.Data is null ? [] : EventEncoding.Run(() => formatter.EncodeBinaryModeEventData(cloudEvent), CannotEncode));
                content.Headers.TryAddWithoutValidation(CloudEventHttpHeaders.SpecVersion, cloudEvent.SpecVersion.VersionId);
                foreach (var pair in cloudEvent.GetPopulatedAttributes())
                {
                    var attribute = pair.Key;
                    string text = EventEncoding.FormatValue(attribute, pair.Value);
                    if (attribute == cloudEvent.SpecVersion.DataContentTypeAttribute)
                    {
                        // Checked, then sent as written: MediaTypeHeaderValue would rewrite it
                        // ("a/b;charset=x" as "a/b; charset=x"), and the attribute must arrive unchanged.
                        _ = ParseMediaType(text);
                        content.Headers.TryAddWithoutValidation(CloudEventHttpHeaders.ContentType, text);
                    }
                    else
                    {
                        content.Headers.TryAddWithoutValidation(CloudEventHttpHeaders.Prefix + attribute.Name, PercentEncoding.Encode(text));
                    }
                }
                return content;
            case ContentMode.Structured:
                var wire = EventEncoding.ForWire(cloudEvent);
                System.Net.Mime.ContentType? structuredType = null;
                var structured = new ByteArrayContent(EventEncoding.Run(() => formatter.EncodeStructuredModeMessage(wire, out structuredType), CannotEncode));
                structured.Headers.ContentType = ParseMediaType(structuredType!.ToString());
                return structured;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Use ToHttpBatchContent for batch mode.");
        }
    }

    /// <summary>
    /// Encodes events as one batch-mode body (for JSON, <c>application/cloudevents-batch+json</c>).
    /// </summary>
    /// <param name="cloudEvents">The events; each must have id, source and type.</param>
    /// <param name="formatter">The event formatter.</param>
    /// <exception cref="CloudEventBindingException">An event lacks a required attribute, or cannot be encoded.</exception>
    public static HttpContent ToHttpBatchContent(this IEnumerable<CloudEvent> cloudEvents, CloudEventFormatter formatter)
    {
        ArgumentNullException.ThrowIfNull(cloudEvents);
        ArgumentNullException.ThrowIfNull(formatter);
        var events = new List<CloudEvent>();
        foreach (var cloudEvent in cloudEvents)
        {
            EventValidation.RequireEncodable(cloudEvent);
            events.Add(EventEncoding.ForWire(cloudEvent));
        }
        System.Net.Mime.ContentType? batchType = null;
        var content = new ByteArrayContent(EventEncoding.Run(() => formatter.EncodeBatchModeMessage(events, out batchType), CannotEncode));
        content.Headers.ContentType = ParseMediaType(batchType!.ToString());
        return content;
    }

    private const string CannotEncode = "The formatter cannot encode the event.";

    private static MediaTypeHeaderValue ParseMediaType(string text) =>
        MediaTypeHeaderValue.TryParse(text, out var mediaType)
            ? mediaType
            : throw new CloudEventBindingException(
                CloudEventBindingError.InvalidContentType, "datacontenttype",
                "Attribute 'datacontenttype' is not a valid media type.");
}
