namespace AuditService.Store;

/// <summary>A stored event and its position (the cursor of newest-first paging).</summary>
public sealed record StoredAuditEvent(long Sequence, AuditRecord Record);
