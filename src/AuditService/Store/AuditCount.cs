namespace AuditService.Store;

/// <summary>One group of a count: a type, an hour as UTC ISO 8601 (<c>2026-01-31T12:00:00Z</c>), or an actor (<c>app_user:&lt;id&gt;</c>).</summary>
public sealed record AuditCount(string Key, long Count);
