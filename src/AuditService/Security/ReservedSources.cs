using Microsoft.Extensions.Options;

namespace AuditService.Security;

/// <summary>
/// The sources HTTP ingest refuses whatever a key's grants (UserService's by default). A reserved
/// source also covers what a reader could mistake for it: any letter case, percent-encoded
/// characters, and anything below it (<c>:</c>, <c>/</c>, <c>?</c> or <c>#</c> after it), so
/// <c>URN:UserAudit:user%2Dservice:x</c> is refused like <c>urn:useraudit:user-service</c>.
/// </summary>
public sealed class ReservedSources(IOptions<AuthOptions> options)
{
    private readonly string[] _reserved = [.. options.Value.EffectiveReservedSources.Select(Normalize)];

    /// <summary>True when <paramref name="source"/> is, or looks like, a reserved source.</summary>
    public bool Covers(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var normalized = Normalize(source);
        foreach (var reserved in _reserved)
        {
            if (normalized.StartsWith(reserved, StringComparison.Ordinal)
                && (normalized.Length == reserved.Length || normalized[reserved.Length] is ':' or '/' or '?' or '#'))
            {
                return true;
            }
        }

        return false;
    }

    private static string Normalize(string source)
    {
        // Uri.UnescapeDataString leaves invalid escapes as they are: nothing to catch.
        return Uri.UnescapeDataString(source).ToLowerInvariant();
    }
}
