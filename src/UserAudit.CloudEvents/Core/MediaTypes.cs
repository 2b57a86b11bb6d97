using System.Net.Mime;

namespace UserAudit.CloudEvents.Core;

/// <summary>The CloudEvents media types and the content-type checks every binding makes.</summary>
public static class MediaTypes
{
    /// <summary>The structured-mode media type prefix, <c>application/cloudevents</c> (for example <c>application/cloudevents+json</c>).</summary>
    public const string StructuredPrefix = "application/cloudevents";

    /// <summary>The batch-mode media type prefix, <c>application/cloudevents-batch</c>.</summary>
    public const string BatchPrefix = "application/cloudevents-batch";

    /// <summary>Whether a content type declares a CloudEvents batch.</summary>
    /// <param name="contentType">The content type's text.</param>
    public static bool IsBatch(ReadOnlySpan<char> contentType) =>
        contentType.StartsWith(BatchPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a content type declares one structured-mode event (not a batch).</summary>
    /// <param name="contentType">The content type's text.</param>
    public static bool IsStructured(ReadOnlySpan<char> contentType) =>
        contentType.StartsWith(StructuredPrefix, StringComparison.OrdinalIgnoreCase) && !IsBatch(contentType);

    /// <summary>Whether a content type's UTF-8 bytes declare a CloudEvents batch; does not allocate.</summary>
    /// <param name="contentType">The header's bytes.</param>
    public static bool IsBatch(ReadOnlySpan<byte> contentType) => StartsWithAsciiIgnoreCase(contentType, BatchPrefix);

    /// <summary>Whether a content type's UTF-8 bytes declare one structured-mode event; does not allocate.</summary>
    /// <param name="contentType">The header's bytes.</param>
    public static bool IsStructured(ReadOnlySpan<byte> contentType) =>
        StartsWithAsciiIgnoreCase(contentType, StructuredPrefix) && !IsBatch(contentType);

    /// <summary>Parses a content type read from a header.</summary>
    /// <param name="text">The header's text.</param>
    /// <param name="member">The header to name in the error.</param>
    /// <returns>The parsed media type, parameters included.</returns>
    /// <exception cref="CloudEventBindingException">The text is not a media type (<see cref="CloudEventBindingError.InvalidContentType"/>).</exception>
    public static ContentType Parse(string text, string member)
    {
        try
        {
            return new ContentType(text);
        }
        catch (FormatException)
        {
            throw new CloudEventBindingException(
                CloudEventBindingError.InvalidContentType, member, $"Header '{member}' is not a valid media type.");
        }
    }

    private static bool StartsWithAsciiIgnoreCase(ReadOnlySpan<byte> bytes, string prefix)
    {
        if (bytes.Length < prefix.Length)
        {
            return false;
        }

        for (int i = 0; i < prefix.Length; i++)
        {
            int b = bytes[i];
            if (b is >= 'A' and <= 'Z')
            {
                b += 'a' - 'A';
            }

            if (b != prefix[i])
            {
                return false;
            }
        }

        return true;
    }
}
