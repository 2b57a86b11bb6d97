namespace AuditService.Security;

/// <summary>The sources one ingest key may write: exact sources and prefixes (a grant ending in <c>*</c>).</summary>
public sealed class SourceGrants
{
    private readonly string[] _exact;
    private readonly string[] _prefixes;

    /// <summary>Reads grants as configured (see <see cref="IngestKeyOptions.Sources"/>).</summary>
    public SourceGrants(IEnumerable<string> grants)
    {
        ArgumentNullException.ThrowIfNull(grants);
        var all = grants.ToList();
        _exact = [.. all.Where(g => !g.EndsWith('*'))];
        _prefixes = [.. all.Where(g => g.EndsWith('*')).Select(g => g[..^1])];
    }

    /// <summary>Grants nothing (read keys).</summary>
    public static SourceGrants None { get; } = new([]);

    /// <summary>
    /// Whether <paramref name="source"/> is granted, compared as written (ordinal): a sender writes
    /// its sources the way it was granted them.
    /// </summary>
    public bool Allows(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return _exact.Contains(source, StringComparer.Ordinal) || _prefixes.Any(p => source.StartsWith(p, StringComparison.Ordinal));
    }
}
