
namespace UserAudit.AppHost.Kafka;

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
