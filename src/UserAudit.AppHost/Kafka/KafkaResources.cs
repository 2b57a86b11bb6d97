namespace UserAudit.AppHost.Kafka;

/// <summary>Names shared by every Kafka resource kind.</summary>
public static class KafkaEndpoints
{
    /// <summary>The listener host processes (the services) connect to.</summary>
    public const string Primary = "tcp";

    /// <summary>The container-network listener (other containers, such as Kafka UI).</summary>
    public const string Internal = "internal";
}

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

/// <summary>The embedded in-memory development broker, run as a .NET project.</summary>
/// <param name="name">Resource name; also the connection string name.</param>
public sealed class EmbeddedKafkaResource(string name) : ProjectResource(name), IResourceWithConnectionString
{
    /// <summary>Endpoint clients connect to.</summary>
    public EndpointReference PrimaryEndpoint => field ??= new(this, KafkaEndpoints.Primary);

    /// <summary>Bootstrap servers, <c>host:port</c>.</summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
}

/// <summary>A cluster the AppHost does not run: its bootstrap servers come from configuration.</summary>
/// <param name="name">Resource name; also the connection string name.</param>
/// <param name="bootstrapServers">Comma-separated <c>host:port</c> list.</param>
public sealed class ExternalKafkaResource(string name, string bootstrapServers)
    : Resource(name), IResourceWithConnectionString, IResourceWithWaitSupport
{
    /// <summary>Bootstrap servers as configured.</summary>
    public string BootstrapServers { get; } = bootstrapServers;

    /// <summary>Bootstrap servers, <c>host:port[,host:port]</c>.</summary>
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{BootstrapServers}");
}
