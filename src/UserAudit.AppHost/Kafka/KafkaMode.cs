namespace UserAudit.AppHost.Kafka;

/// <summary>Where the <c>kafka</c> resource comes from (configuration key <c>Kafka:Mode</c>).</summary>
public enum KafkaMode
{
    /// <summary>
    /// Running: <see cref="Container"/> when a container runtime answers, else <see cref="Embedded"/>.
    /// Publishing: <see cref="Container"/>, whatever this machine runs.
    /// </summary>
    Auto,

    /// <summary>A single-node KRaft Apache Kafka container.</summary>
    Container,

    /// <summary>The in-memory development broker (librdkafka's mock cluster) as a project.</summary>
    Embedded,

    /// <summary>An existing cluster named by <c>ConnectionStrings:kafka</c>; nothing is started.</summary>
    External,
}
