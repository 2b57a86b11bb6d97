using System.Diagnostics;
using System.Text;

namespace UserAudit.ServiceDefaults.Tracing;

/// <summary>
/// The W3C Trace Context rules a service applies to context it did not create: a <c>traceparent</c>
/// must parse, and a <c>tracestate</c> keeps only well-formed list members, at most
/// <see cref="MaxMembers"/> of them and <see cref="MaxLength"/> characters in all, so that a caller
/// cannot make the service carry (or store) arbitrary text under that name.
/// </summary>
public static class W3CTraceContext
{
    /// <summary>Most list members kept (the W3C limit).</summary>
    public const int MaxMembers = 32;

    /// <summary>Longest <c>tracestate</c> kept (the length W3C asks every vendor to propagate).</summary>
    public const int MaxLength = 512;

    /// <summary>True when <paramref name="traceParent"/> is a W3C <c>traceparent</c> with a non-zero trace and span id.</summary>
    public static bool IsValidTraceParent(string? traceParent) =>
        traceParent is not null && traceParent.Length <= 256 && ActivityContext.TryParse(traceParent, null, out var context)
        && context.TraceId != default && context.SpanId != default;

    /// <summary>
    /// The well-formed members of <paramref name="traceState"/>, first occurrence of each key, within
    /// the limits; null when none is left.
    /// </summary>
    public static string? SanitizeTraceState(string? traceState)
    {
        if (string.IsNullOrEmpty(traceState))
        {
            return null;
        }

        var kept = new StringBuilder();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in traceState.Split(',', MaxMembers * 2 + 1))
        {
            var member = raw.Trim(' ', '\t');
            var equals = member.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !IsKey(member.AsSpan(0, equals)) || !IsValue(member.AsSpan(equals + 1)) || !keys.Add(member[..equals]))
            {
                continue;
            }

            if (keys.Count > MaxMembers || kept.Length + member.Length + 1 > MaxLength)
            {
                break;
            }

            kept.Append(kept.Length == 0 ? "" : ",").Append(member);
        }

        return kept.Length == 0 ? null : kept.ToString();
    }

    // key = simple-key / multi-tenant-key: lower-case letters, digits and _ - * / (tenant@system).
    private static bool IsKey(ReadOnlySpan<char> key)
    {
        if (key.Length > 256 || !(char.IsAsciiLetterLower(key[0]) || char.IsAsciiDigit(key[0])))
        {
            return false;
        }

        var ats = 0;
        foreach (var c in key)
        {
            if (c == '@')
            {
                ats++;
            }
            else if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-' or '*' or '/'))
            {
                return false;
            }
        }

        return ats <= 1 && key[^1] != '@';
    }

    // value = 0*255(chr) nblk-chr: printable ASCII except ',' and '=', spaces only inside.
    private static bool IsValue(ReadOnlySpan<char> value)
    {
        if (value.Length is 0 or > 256 || value[^1] == ' ')
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is < ' ' or > '~' or ',' or '=')
            {
                return false;
            }
        }

        return true;
    }
}
