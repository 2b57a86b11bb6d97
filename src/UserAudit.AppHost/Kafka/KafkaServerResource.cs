
namespace UserAudit.AppHost.Kafka;

/// <summary>A single-node KRaft Apache Kafka broker in a container.</summary>
/// <param name="name">Resource name; also the connection string name.</param>
public sealed class KafkaServerResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    /// <summary>Port the broker listens on for host processes, inside the container.</summary>
    public const int HostListenerPort = 9092;

    /// <summary>Port of the KRaft controller listener, inside the container (never published).</summary>
    public const int ControllerPort = 9093;

    /// <summary>Port of the container-network listener, inside the container.</summary>
    public const int InternalListenerPort = 9094;

    /// <summary>
    /// Endpoint for host processes, resolved in the host's (localhost) network whoever asks. Unpinned,
    /// a reference resolves in the caller's network, so the container's own environment would get
    /// the container-side port instead of the host port its clients must use.
    /// </summary>
    public EndpointReference PrimaryEndpoint => field ??= new(this, KafkaEndpoints.Primary, KnownNetworkIdentifiers.LocalhostNetwork);

    /// <summary>Endpoint for other containers, resolved in the container network whoever asks.</summary>
    public EndpointReference InternalEndpoint => field ??= new(this, KafkaEndpoints.Internal, KnownNetworkIdentifiers.DefaultAspireContainerNetwork);

    /// <summary>Bootstrap servers for host processes, <c>host:port</c>.</summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");

    /// <summary>
    /// Bootstrap servers for other containers. When running, containers reach the broker on the
    /// container network by its resource name and the listener's port inside the container, as
    /// Aspire's own Kafka integration assumes; a deployment resolves the binding's host and port.
    /// </summary>
    /// <param name="executionContext">Run or publish.</param>
    public ReferenceExpression ContainerNetworkAddress(DistributedApplicationExecutionContext executionContext)
    {
        ArgumentNullException.ThrowIfNull(executionContext);
        return executionContext.IsRunMode
            ? ReferenceExpression.Create($"{Name}:{InternalEndpoint.Property(EndpointProperty.TargetPort)}")
            : ReferenceExpression.Create($"{InternalEndpoint.Property(EndpointProperty.HostAndPort)}");
    }
}
