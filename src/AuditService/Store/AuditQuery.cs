namespace AuditService.Store;

/// <summary>
/// Filters of an audit query; every one optional. <see cref="From"/> (inclusive) and <see cref="To"/>
/// (exclusive) apply to the event's <c>time</c>; <see cref="AuthId"/> and <see cref="AuthType"/> to
/// its actor (the auth context extension); <see cref="Before"/> is the paging cursor. A page holds at
/// most <see cref="Limit"/> events and, past its first, at most <see cref="MaxBytes"/> of their
/// content (<see cref="AuditRecord.ContentSize"/>): events can be up to a megabyte each, and a page
/// of 500 of them must not be held in memory at once.
/// </summary>
public sealed record AuditQuery(
    string? Type = null, string? Source = null, string? Subject = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, long? Before = null, int Limit = 50,
    string? AuthId = null, string? AuthType = null, long MaxBytes = AuditQuery.DefaultMaxBytes)
{
    /// <summary>The default of <see cref="MaxBytes"/>: 1 MiB, the largest event AuditService takes by default.</summary>
    public const long DefaultMaxBytes = 1024 * 1024;
}
