namespace AuditService.Store;

/// <summary>
/// Filters of an audit query; every one optional. <see cref="From"/> (inclusive) and <see cref="To"/>
/// (exclusive) apply to the event's <c>time</c>; <see cref="AuthId"/> and <see cref="AuthType"/> to
/// its actor (the auth context extension); <see cref="Before"/> is the paging cursor.
/// </summary>
public sealed record AuditQuery(
    string? Type = null, string? Source = null, string? Subject = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, long? Before = null, int Limit = 50,
    string? AuthId = null, string? AuthType = null);
