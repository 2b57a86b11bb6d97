using System.Text;
using UserAudit.CloudEvents.Core;

namespace UserAudit.CloudEvents.Http;

/// <summary>
/// The percent-encoding of CloudEvents HTTP header values (HTTP binding, section 3.1.3.2): space,
/// double quote, percent and everything outside printable ASCII travel as %XX escapes of their
/// UTF-8 bytes.
/// </summary>
internal static class PercentEncoding
{
    private static bool IsPlain(byte b) => b is >= 0x21 and <= 0x7E and not (byte)'"' and not (byte)'%';

    /// <summary>Encodes a canonical attribute string for a <c>ce-*</c> header.</summary>
    internal static string Encode(string value)
    {
        bool plain = true;
        foreach (char c in value)
        {
            if (c > 0x7E || !IsPlain((byte)c))
            {
                plain = false;
                break;
            }
        }
        if (plain)
        {
            return value;
        }
        byte[] bytes = StrictUtf8.Encoding.GetBytes(value);
        var builder = new StringBuilder(bytes.Length * 3);
        foreach (byte b in bytes)
        {
            if (IsPlain(b))
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(HexUpper(b >> 4)).Append(HexUpper(b & 0xF));
            }
        }
        return builder.ToString();
    }

    /// <summary>
    /// Decodes a <c>ce-*</c> header value: a double-quoted value is unquoted first (older versions of
    /// the binding allowed quoted strings, and receivers must still read them), then percent-decoded
    /// once; the escaped bytes must be strict UTF-8.
    /// </summary>
    /// <exception cref="CloudEventBindingException">A malformed escape or a character that must be escaped (<see
    /// cref="CloudEventBindingError.InvalidAttributeValue"/>), or escaped bytes that are not UTF-8 (<see
    /// cref="CloudEventBindingError.InvalidUtf8Header"/>).</exception>
    internal static string Decode(string value, string header)
    {
        if (value.StartsWith('"'))
        {
            value = Unquote(value, header);
        }
        bool escaped = false;
        foreach (char c in value)
        {
            if (c == '%')
            {
                escaped = true;
            }
            else if (c is < (char)0x20 or > (char)0x7E)
            {
                throw new CloudEventBindingException(
                    CloudEventBindingError.InvalidAttributeValue, header,
                    $"Header '{header}' contains a character outside printable ASCII that must be percent-encoded.");
            }
        }
        if (!escaped)
        {
            return value;
        }
        byte[] bytes = new byte[value.Length];
        int length = 0;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c != '%')
            {
                bytes[length++] = (byte)c;
                continue;
            }
            if (i + 2 >= value.Length || !char.IsAsciiHexDigit(value[i + 1]) || !char.IsAsciiHexDigit(value[i + 2]))
            {
                throw new CloudEventBindingException(
                    CloudEventBindingError.InvalidAttributeValue, header,
                    $"Header '{header}' has a '%' that does not start a two-digit hex escape.");
            }
            bytes[length++] = (byte)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2]));
            i += 2;
        }
        return StrictUtf8.Decode(bytes.AsSpan(0, length), header);
    }

    // RFC 7230, section 3.2.6: DQUOTE *( qdtext / quoted-pair ) DQUOTE, where a quoted-pair is a
    // backslash and the character it stands for. The value must be one whole quoted string.
    private static string Unquote(string value, string header)
    {
        var builder = new StringBuilder(value.Length);
        for (int i = 1; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '"')
            {
                if (i != value.Length - 1)
                {
                    throw new CloudEventBindingException(
                        CloudEventBindingError.InvalidAttributeValue, header,
                        $"Header '{header}' has characters after its closing double quote.");
                }
                return builder.ToString();
            }
            if (c == '\\' && ++i < value.Length)
            {
                c = value[i];
            }
            builder.Append(c);
        }
        throw new CloudEventBindingException(
            CloudEventBindingError.InvalidAttributeValue, header,
            $"Header '{header}' opens a double-quoted string that does not close.");
    }

    private static char HexUpper(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
