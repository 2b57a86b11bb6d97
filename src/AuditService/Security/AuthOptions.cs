namespace AuditService.Security;

/// <summary>
/// Who may read and who may write; section <c>Auth</c>. Keys are named, so a key can be added next to
/// the one it replaces and the old one removed once no caller uses it (rotation without downtime),
/// and so that logs and stored events can say which key acted without ever showing it.
/// </summary>
public sealed class AuthOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Auth";

    /// <summary>Shortest key accepted: anything shorter is guessable.</summary>
    public const int MinKeyLength = 16;

    /// <summary>
    /// The source reserved when <see cref="ReservedSources"/> is not configured: UserService's, which
    /// reaches AuditService through Kafka only.
    /// </summary>
    public const string UserServiceSource = "urn:useraudit:user-service";

    /// <summary>
    /// Keys that may query, export and verify (environment variables <c>Auth__ReadKeys__&lt;name&gt;</c>;
    /// the AppHost passes its <c>audit-api-key</c> parameter as <c>apphost</c>). At least one is required.
    /// </summary>
    public Dictionary<string, string> ReadKeys { get; set; } = [];

    /// <summary>
    /// Keys that may send events over HTTP, each bound to the sources it may write
    /// (<c>Auth__IngestKeys__&lt;name&gt;__Key</c>, <c>Auth__IngestKeys__&lt;name&gt;__Sources__0</c>, ...).
    /// None by default: HTTP ingest then refuses everyone.
    /// </summary>
    public Dictionary<string, IngestKeyOptions> IngestKeys { get; set; } = [];

    /// <summary>
    /// Sources no HTTP sender may write, whatever its grants: their events arrive only through
    /// Kafka. <see cref="UserServiceSource"/> when not configured.
    /// </summary>
    public string[]? ReservedSources { get; set; }

    /// <summary>The reserved sources in force: <see cref="ReservedSources"/>, or UserService's.</summary>
    public IReadOnlyList<string> EffectiveReservedSources => ReservedSources ?? [UserServiceSource];
}
