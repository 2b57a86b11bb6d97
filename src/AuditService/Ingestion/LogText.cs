using System.Globalization;
using System.Text;

namespace AuditService.Ingestion;

/// <summary>
/// Makes a sender's text safe for a log line or a dead-letter header: control characters, line and
/// paragraph separators, format characters (bidirectional overrides among them) and lone surrogates
/// become visible escapes (<c>\n</c>, <c>\u202e</c>), a backslash is doubled so an escape cannot be
/// faked, and the text is cut to <see cref="MaxLength"/> characters. A forged log line stays on the
/// line of the entry that carries it, as visible text.
/// </summary>
public static class LogText
{
    /// <summary>Longest text kept; the rest is replaced by its length.</summary>
    public const int MaxLength = 256;

    /// <summary>The escaped text; null stays null.</summary>
    public static string? Escape(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var shown = text.Length > MaxLength ? text[..MaxLength] : text;
        if (!NeedsEscaping(shown) && shown.Length == text.Length)
        {
            return text;
        }

        var escaped = new StringBuilder(shown.Length + 16);
        for (var i = 0; i < shown.Length; i++)
        {
            var c = shown[i];
            if (char.IsHighSurrogate(c) && i + 1 < shown.Length && char.IsLowSurrogate(shown[i + 1]))
            {
                escaped.Append(c).Append(shown[++i]);
                continue;
            }

            escaped.Append(c switch
            {
                '\\' => @"\\",
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                _ when IsUnsafe(c) => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => c.ToString(),
            });
        }

        if (shown.Length < text.Length)
        {
            escaped.Append(CultureInfo.InvariantCulture, $"...({text.Length} characters)");
        }

        return escaped.ToString();
    }

    private static bool NeedsEscaping(string text)
    {
        foreach (var c in text)
        {
            if (c == '\\' || IsUnsafe(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUnsafe(char c) =>
        char.IsSurrogate(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
