namespace AuditService.Security;

/// <summary>What a key may do: one role per key, so a leaked export key can never write history.</summary>
public enum AuditRole
{
    /// <summary>Query, export, count, verify, read checkpoints and conflicts.</summary>
    Read,

    /// <summary>Send events over HTTP, for the sources the key is granted.</summary>
    Ingest,
}
