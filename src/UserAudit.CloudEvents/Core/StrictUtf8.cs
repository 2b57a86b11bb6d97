using System.Text;

namespace UserAudit.CloudEvents.Core;

/// <summary>
/// UTF-8 as the CloudEvents bindings require it: invalid bytes are an error naming the header,
/// never replaced by U+FFFD, so a damaged value cannot decode into a different one.
/// </summary>
public static class StrictUtf8
{
    /// <summary>UTF-8 without a byte order mark that throws on invalid bytes.</summary>
    public static UTF8Encoding Encoding { get; } = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes a header value.</summary>
    /// <param name="bytes">The value's bytes.</param>
    /// <param name="member">The header to name in the error.</param>
    /// <returns>The decoded text.</returns>
    /// <exception cref="CloudEventBindingException">The bytes are not valid UTF-8 (<see cref="CloudEventBindingError.InvalidUtf8Header"/>).</exception>
    public static string Decode(ReadOnlySpan<byte> bytes, string member)
    {
        try
        {
            return Encoding.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            // The inner exception is left out: its message quotes the offending bytes.
            throw new CloudEventBindingException(
                CloudEventBindingError.InvalidUtf8Header, member, $"Header '{member}' is not valid UTF-8.");
        }
    }
}
