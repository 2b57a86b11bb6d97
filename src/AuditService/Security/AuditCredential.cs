namespace AuditService.Security;

/// <summary>A configured key, as the request that presented it sees it: its name, role and grants (never the key).</summary>
/// <param name="Name">The key's name in configuration, for logs and for the events it writes.</param>
/// <param name="Role">What the key may do.</param>
/// <param name="Sources">For an ingest key, the sources it may write.</param>
public sealed record AuditCredential(string Name, AuditRole Role, SourceGrants Sources);
