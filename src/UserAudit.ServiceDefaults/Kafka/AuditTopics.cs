namespace UserAudit.ServiceDefaults.Kafka;

/// <summary>
/// The topics of the audit trail, named once: the AppHost declares them and passes them to the
/// services through configuration, and the services' options fall back to these names.
/// </summary>
public static class AuditTopics
{
    /// <summary>Where UserService publishes its events and AuditService consumes them.</summary>
    public const string Audit = "audit";

    /// <summary>Where AuditService sends messages it cannot store, with the reason in headers.</summary>
    public const string DeadLetter = "audit.deadletter";
}
