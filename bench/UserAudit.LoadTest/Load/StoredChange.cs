namespace UserAudit.LoadTest.Load;

/// <summary>A change as a consumer saw it: its identity and where it sat in its Kafka partition.</summary>
/// <param name="Change">The change's identity, from the event's subject, type and data.</param>
/// <param name="Partition">The Kafka partition it was read from (-1 when unknown, e.g. ingested over HTTP).</param>
/// <param name="Offset">Its offset in that partition.</param>
/// <param name="ReceivedAt">When AuditService stored it, when known.</param>
public sealed record StoredChange(ChangeId Change, int Partition, long Offset, DateTimeOffset? ReceivedAt = null);
