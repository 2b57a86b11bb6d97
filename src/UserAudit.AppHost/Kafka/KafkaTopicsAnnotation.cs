
namespace UserAudit.AppHost.Kafka;

/// <summary>The topics declared on a Kafka resource.</summary>
public sealed class KafkaTopicsAnnotation(IReadOnlyList<KafkaTopic> topics) : IResourceAnnotation
{
    /// <summary>The declared topics.</summary>
    public IReadOnlyList<KafkaTopic> Topics { get; } = topics;
}
