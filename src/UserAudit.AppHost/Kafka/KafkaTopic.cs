namespace UserAudit.AppHost.Kafka;

/// <summary>A topic the application needs; created before any service that waits for Kafka starts.</summary>
/// <param name="Name">Topic name.</param>
/// <param name="Partitions">Partition count (at least 1).</param>
/// <param name="ReplicationFactor">Replicas per partition; 1 on a single broker.</param>
public sealed record KafkaTopic(string Name, int Partitions = 1, short ReplicationFactor = 1)
{
    /// <summary>The <c>name:partitions</c> form the embedded broker reads.</summary>
    public override string ToString() => $"{Name}:{Partitions}";
}
