namespace AuditService.Store;

/// <summary>What a batch insert did: per record, and the counts.</summary>
/// <param name="Outcomes">Per record, in order.</param>
public sealed record AuditWriteResult(IReadOnlyList<AuditWriteOutcome> Outcomes)
{
    /// <summary>The result of writing nothing.</summary>
    public static AuditWriteResult Empty { get; } = new([]);

    /// <summary>Records stored for the first time.</summary>
    public int Stored { get; } = Outcomes.Count(o => o == AuditWriteOutcome.Stored);

    /// <summary>Records skipped because the same event was already stored.</summary>
    public int Duplicates { get; } = Outcomes.Count(o => o == AuditWriteOutcome.Duplicate);

    /// <summary>Records whose (source, id) is stored with other content: recorded as conflicts, not stored.</summary>
    public int Conflicts { get; } = Outcomes.Count(o => o == AuditWriteOutcome.Conflict);
}
