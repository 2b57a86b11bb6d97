namespace UserAudit.CloudEvents.Kafka;

/// <summary>
/// Choices the CloudEvents Kafka protocol binding leaves to the application.
/// </summary>
public sealed class KafkaBindingOptions
{
    /// <summary>The defaults: no key mapping.</summary>
    public static KafkaBindingOptions Default { get; } = new();

    /// <summary>
    /// When true, the message key is the value of the Partitioning extension's <c>partitionkey</c>
    /// attribute (null when the event has none). This is the opt-in "key mapper" of the binding
    /// specification (section 3.1); the attribute is still transmitted with the event either way.
    /// Defaults to false: the key is null unless the caller supplies one.
    /// </summary>
    public bool MapPartitionKeyToKey { get; init; }
}
