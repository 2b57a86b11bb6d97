
namespace UserAudit.AppHost.Kafka;

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
