namespace AuditService.Integrity;

/// <summary>The first place verification found the chain broken.</summary>
/// <param name="Position">The chain position (the row's <c>seq</c>, or the checkpoint's position).</param>
/// <param name="Kind">What is wrong there.</param>
/// <param name="Detail">A sentence for the operator.</param>
public sealed record ChainBreak(long Position, ChainBreakKind Kind, string Detail);
