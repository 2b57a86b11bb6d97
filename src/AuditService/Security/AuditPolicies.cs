namespace AuditService.Security;

/// <summary>The authorization policies of AuditService's endpoints: one per role.</summary>
public static class AuditPolicies
{
    /// <summary>Requires a read key: query, export, counts, verify, checkpoints, conflicts.</summary>
    public const string Read = "audit.read";

    /// <summary>Requires an ingest key: <c>POST /v1/cloudevents</c>.</summary>
    public const string Ingest = "audit.ingest";
}
