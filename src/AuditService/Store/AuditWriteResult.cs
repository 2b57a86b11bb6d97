namespace AuditService.Store;

/// <summary>What a batch insert did: which records were new, and the counts.</summary>
/// <param name="Inserted">Per record, in order: true when it was stored, false when its (source, id) already was.</param>
public sealed record AuditWriteResult(IReadOnlyList<bool> Inserted)
{
    /// <summary>The result of writing nothing.</summary>
    public static AuditWriteResult Empty { get; } = new([]);

    /// <summary>Records stored for the first time.</summary>
    public int Stored { get; } = Inserted.Count(i => i);

    /// <summary>Records skipped because they were already stored.</summary>
    public int Duplicates => Inserted.Count - Stored;
}
