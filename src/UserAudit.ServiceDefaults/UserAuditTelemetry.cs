namespace Microsoft.Extensions.Hosting;

/// <summary>Names of the meters and activity sources UserAudit's own code emits on.</summary>
public static class UserAuditTelemetry
{
    /// <summary>Meter and activity source of the Kafka client integration.</summary>
    public const string Kafka = "UserAudit.Kafka";

    /// <summary>Meter and activity source of UserService.</summary>
    public const string UserService = "UserAudit.UserService";

    /// <summary>Meter and activity source of AuditService.</summary>
    public const string AuditService = "UserAudit.AuditService";

    /// <summary>Every meter to export.</summary>
    public static readonly string[] MeterNames = [Kafka, UserService, AuditService];

    /// <summary>Every activity source to export.</summary>
    public static readonly string[] ActivitySourceNames = [Kafka, UserService, AuditService];
}
