namespace AuditService.Ingestion;

/// <summary>What a successful HTTP ingest reports.</summary>
/// <param name="Received">Events in the request.</param>
/// <param name="Stored">Events stored for the first time.</param>
/// <param name="Duplicates">Events already stored with the same content, skipped by (source, id).</param>
/// <param name="Conflicts">Events whose (source, id) is stored with other content: recorded as conflicts, not stored.</param>
public sealed record IngestResult(int Received, int Stored, int Duplicates, int Conflicts);
