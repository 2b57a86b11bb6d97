using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Logging.Abstractions;

namespace UserAudit.Tests.Hosting;

/// <summary>
/// Resolves a resource's environment the way the orchestrator does before starting it (values, not
/// expression text), and allocates endpoints the way DCP would, so that tests see what a container
/// would really be given.
/// </summary>
internal static class ResolvedEnvironment
{
    /// <summary>The environment <paramref name="resource"/> would start with, or be published with.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> OfAsync(IResource resource, DistributedApplicationOperation operation = DistributedApplicationOperation.Run)
    {
        var result = await ExecutionConfigurationBuilder.Create(resource)
            .WithEnvironmentVariablesConfig()
            .BuildAsync(new DistributedApplicationExecutionContext(operation), NullLogger.Instance, CancellationToken.None);
        if (result.Exception is { } error)
        {
            throw error;
        }

        return result.EnvironmentVariables.ToDictionary();
    }

    /// <summary>
    /// Allocates <paramref name="endpointName"/> as DCP does for a container: <paramref name="hostPort"/>
    /// on localhost for host processes, and the target port at the resource's container-network
    /// address for other containers.
    /// </summary>
    public static void Allocate(IResourceWithEndpoints resource, string endpointName, int hostPort)
    {
        var endpoint = resource.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == endpointName);
        endpoint.AllAllocatedEndpoints.AddOrUpdateAllocatedEndpoint(KnownNetworkIdentifiers.LocalhostNetwork,
            new AllocatedEndpoint(endpoint, "localhost", hostPort, EndpointBindingMode.SingleAddress, null, KnownNetworkIdentifiers.LocalhostNetwork));
        endpoint.AllAllocatedEndpoints.AddOrUpdateAllocatedEndpoint(KnownNetworkIdentifiers.DefaultAspireContainerNetwork,
            new AllocatedEndpoint(endpoint, $"{resource.Name}.dev.internal", endpoint.TargetPort!.Value, EndpointBindingMode.SingleAddress, null,
                KnownNetworkIdentifiers.DefaultAspireContainerNetwork));
    }
}
