using Aspire.Hosting.ApplicationModel;

namespace UserAudit.AppHost.Kafka;

/// <summary>A single-node KRaft Apache Kafka broker in a container.</summary>
/// <param name="name">Resource name; also the connection string name.</param>
public sealed class KafkaServerResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    /// <summary>Port the broker listens on for host processes, inside the container.</summary>
    public const int HostListenerPort = 9092;

    /// <summary>Port of the KRaft controller listener, inside the container.</summary>
    public const int ControllerPort = 9093;

    /// <summary>Port of the container-network listener, inside the container.</summary>
    public const int InternalListenerPort = 9094;

    /// <summary>Endpoint for host processes.</summary>
    public EndpointReference PrimaryEndpoint => field ??= new(this, KafkaEndpoints.Primary);

    /// <summary>Endpoint for other containers.</summary>
    public EndpointReference InternalEndpoint => field ??= new(this, KafkaEndpoints.Internal);

    /// <summary>Bootstrap servers, <c>host:port</c>.</summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
}
