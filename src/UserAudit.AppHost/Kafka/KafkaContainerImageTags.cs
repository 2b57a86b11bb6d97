namespace UserAudit.AppHost.Kafka;

/// <summary>
/// The container images of the Kafka hosting integration, pinned in one place so that an upgrade
/// is one reviewed change.
/// </summary>
public static class KafkaContainerImageTags
{
    /// <summary>Registry of every image here.</summary>
    public const string Registry = "docker.io";

    /// <summary>Apache Kafka's own image (KRaft, no ZooKeeper).</summary>
    public const string Image = "apache/kafka";

    /// <summary>Pinned Apache Kafka tag.</summary>
    public const string Tag = "4.1.0";

    /// <summary>
    /// Kafka UI image: kafbat's, the maintained continuation of provectuslabs/kafka-ui (unchanged
    /// since 2022), which Aspire's own integration moved to as well.
    /// </summary>
    public const string KafkaUiImage = "kafbat/kafka-ui";

    /// <summary>Pinned Kafka UI tag.</summary>
    public const string KafkaUiTag = "v1.4.2";
}
