using System.Text;

namespace UserAudit.CloudEvents.Core;

/// <summary>
/// The character grammar of an RFC 3986 URI-reference, which every URI-valued CloudEvents
/// attribute (<c>source</c>, <c>dataschema</c>) must follow. <see cref="System.Uri"/> is more
/// lenient (it keeps spaces and non-ASCII text in <see cref="System.Uri.OriginalString"/>), so the
/// bindings check the text themselves when decoding and escape it when encoding: an event a binding
/// sends is always one its decoder accepts.
/// </summary>
public static class UriReference
{
    /// <summary>
    /// Whether the text uses only the characters RFC 3986 permits in a URI-reference, with every
    /// '%' starting a two-digit hex escape.
    /// </summary>
    /// <param name="text">The text to check.</param>
    /// <returns>True when every character is allowed.</returns>
    public static bool IsValid(ReadOnlySpan<char> text) => FirstInvalid(text) < 0;

    /// <summary>
    /// The text with every character RFC 3986 does not permit percent-encoded as UTF-8 bytes (as
    /// <see cref="System.Uri.AbsoluteUri"/> does for non-ASCII text), and every '%' that does not
    /// start an escape encoded as <c>%25</c>. Valid text is returned as it is (the same instance),
    /// so escaping is idempotent and never changes an event that was already valid.
    /// </summary>
    /// <param name="text">A URI-reference as the application wrote it.</param>
    /// <returns>A valid URI-reference that <see cref="System.Uri"/> reads as the same reference.</returns>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int first = FirstInvalid(text);
        if (first < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        builder.Append(text, 0, first);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '%' && IsEscape(text, i))
            {
                builder.Append(text, i, 3);
                i += 2;
                continue;
            }

            if (c != '%' && IsAllowed(c))
            {
                builder.Append(c);
                continue;
            }

            // A surrogate pair is one code point; an unpaired surrogate cannot be a URI character
            // and is encoded as U+FFFD, as System.Uri does.
            int length = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])
                ? new Rune(c, text[++i]).EncodeToUtf8(utf8)
                : (Rune.TryCreate(c, out var rune) ? rune : Rune.ReplacementChar).EncodeToUtf8(utf8);
            foreach (byte b in utf8[..length])
            {
                builder.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
        }

        return builder.ToString();
    }

    private static int FirstInvalid(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '%')
            {
                if (!IsEscape(text, i))
                {
                    return i;
                }

                i += 2;
            }
            else if (!IsAllowed(c))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsEscape(ReadOnlySpan<char> text, int i) =>
        i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]);

    /// <summary>unreserved, gen-delims and sub-delims of RFC 3986.</summary>
    private static bool IsAllowed(char c) =>
        char.IsAsciiLetterOrDigit(c)
        || c is '-' or '.' or '_' or '~'
            or ':' or '/' or '?' or '#' or '[' or ']' or '@'
            or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=';

    private static char HexDigit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);
}
