namespace AuditService.Store;

/// <summary>What storing one event did.</summary>
public enum AuditWriteOutcome
{
    /// <summary>Stored: its (source, id) was new.</summary>
    Stored,

    /// <summary>Skipped: the same event (same content) was already stored.</summary>
    Duplicate,

    /// <summary>Refused and recorded: another event with the same (source, id) but different content is stored, and stays.</summary>
    Conflict,
}
