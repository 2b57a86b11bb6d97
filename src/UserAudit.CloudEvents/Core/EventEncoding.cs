using System.Runtime.InteropServices;
using CloudNative.CloudEvents;

namespace UserAudit.CloudEvents.Core;

/// <summary>
/// What every binding does before and while it encodes an event, so that an encoder never sends
/// what the decoders refuse: URI-valued attributes go out as RFC 3986 text, formatter failures
/// become the binding's typed error.
/// </summary>
public static class EventEncoding
{
    /// <summary>
    /// The canonical string form of an attribute value for a header. URI values are escaped to RFC
    /// 3986 (<see cref="UriReference.Escape"/>), since <see cref="Uri"/> accepts text the decoders refuse.
    /// </summary>
    /// <param name="attribute">The attribute.</param>
    /// <param name="value">Its value, as the event holds it.</param>
    public static string FormatValue(CloudEventAttribute attribute, object value)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        return value switch
        {
            string text => text,
            Uri uri => UriReference.Escape(uri.OriginalString),
            _ => attribute.Format(value),
        };
    }

    /// <summary>
    /// The event as an event formatter should encode it in structured or batch mode: the same
    /// instance when every URI-valued attribute is valid RFC 3986 text, else a copy whose URIs are
    /// escaped (the caller's event is never changed).
    /// </summary>
    /// <param name="cloudEvent">The event to encode.</param>
    public static CloudEvent ForWire(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        bool escapeNeeded = false;
        foreach (var pair in cloudEvent.GetPopulatedAttributes())
        {
            if (pair.Value is Uri uri && !UriReference.IsValid(uri.OriginalString))
            {
                escapeNeeded = true;
                break;
            }
        }

        if (!escapeNeeded)
        {
            return cloudEvent;
        }

        var copy = new CloudEvent(cloudEvent.SpecVersion, cloudEvent.ExtensionAttributes);
        foreach (var (attribute, value) in cloudEvent.GetPopulatedAttributes())
        {
            copy[attribute] = value is Uri uri
                ? new Uri(UriReference.Escape(uri.OriginalString), UriKind.RelativeOrAbsolute)
                : value;
        }

        copy.Data = cloudEvent.Data;
        return copy;
    }

    /// <summary>
    /// Runs a formatter's encoding and returns its bytes as an array (the formatter's own array when
    /// it fills one exactly), turning the formatter's failure into the binding's error.
    /// </summary>
    /// <param name="encode">The formatter call.</param>
    /// <param name="failure">What to say when the formatter fails (the inner exception is attached).</param>
    /// <exception cref="CloudEventBindingException">The formatter could not encode the event (<see cref="CloudEventBindingError.InvalidData"/>).</exception>
    public static byte[] Run(Func<ReadOnlyMemory<byte>> encode, string failure)
    {
        ArgumentNullException.ThrowIfNull(encode);
        ReadOnlyMemory<byte> body;
        try
        {
            body = encode();
        }
        catch (Exception e) when (FormatterFailure.Is(e))
        {
            throw new CloudEventBindingException(CloudEventBindingError.InvalidData, "data", failure, e);
        }

        return MemoryMarshal.TryGetArray(body, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : body.ToArray();
    }
}
