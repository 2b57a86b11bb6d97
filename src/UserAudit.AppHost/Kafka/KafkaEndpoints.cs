namespace UserAudit.AppHost.Kafka;

/// <summary>Endpoint names shared by every Kafka resource kind.</summary>
public static class KafkaEndpoints
{
    /// <summary>The listener host processes (the services) connect to.</summary>
    public const string Primary = "tcp";

    /// <summary>The container-network listener (other containers, such as Kafka UI).</summary>
    public const string Internal = "internal";
}
