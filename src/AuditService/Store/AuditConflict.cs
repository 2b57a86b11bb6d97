namespace AuditService.Store;

/// <summary>A copy of a stored (source, id) whose content differs from the stored event: kept for investigation, never stored as the event.</summary>
/// <param name="Number">Its number, the paging cursor.</param>
/// <param name="Source">The event's source.</param>
/// <param name="Id">The event's id.</param>
/// <param name="StoredContentHash">Content hash of the stored event, hex.</param>
/// <param name="CopyContentHash">Content hash of the copy, hex.</param>
/// <param name="Copy">The copy, as a structured CloudEvent (JSON).</param>
/// <param name="Kafka">Where the copy was read on Kafka (the first time); null over HTTP.</param>
/// <param name="IngestedBy">The ingest key that sent the copy over HTTP.</param>
/// <param name="FirstSeen">When the copy first arrived.</param>
/// <param name="LastSeen">When it last arrived.</param>
/// <param name="Copies">How many times it arrived.</param>
public sealed record AuditConflict(
    long Number, string Source, string Id, string StoredContentHash, string CopyContentHash, string Copy,
    KafkaCoordinates? Kafka, string? IngestedBy, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, long Copies);
