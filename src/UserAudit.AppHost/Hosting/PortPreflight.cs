using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace UserAudit.AppHost.Hosting;

/// <summary>
/// Before a run, checks that the fixed ports the application is about to listen on are free. A
/// second <c>dotnet run</c> beside a running one then stops at once with one line naming each port
/// taken and what wanted it, instead of the dashboard's bind failure crashing the AppHost with a stack
/// trace, or a service's port failing later behind a start that never becomes healthy.
/// </summary>
public static class PortPreflight
{
    // The dashboard's addresses (launchSettings.json sets them for `dotnet run`).
    private static readonly string[] DashboardSettings =
        ["ASPNETCORE_URLS", "ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", "ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL", "ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"];

    /// <summary>A port the application will listen on, and who wants it (a resource's endpoint or a dashboard setting).</summary>
    /// <param name="Port">The host port.</param>
    /// <param name="Owner">What listens there: <c>user-service (http)</c>, or the setting that names it.</param>
    public sealed record FixedPort(int Port, string Owner);

    /// <summary>
    /// The fixed host ports of <paramref name="builder"/>'s resources (random ones are left out) and
    /// of the dashboard's addresses in its configuration.
    /// </summary>
    public static IReadOnlyList<FixedPort> FixedPorts(IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var ports = new List<FixedPort>();
        foreach (var resource in builder.Resources)
        {
            foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>())
            {
                // A proxied endpoint's Port is the proxy's; an endpoint without a proxy is bound by its process.
                if ((endpoint.Port ?? (endpoint.IsProxied ? null : endpoint.TargetPort)) is int port)
                {
                    ports.Add(new FixedPort(port, $"{resource.Name} ({endpoint.Name})"));
                }
            }
        }

        foreach (var setting in DashboardSettings)
        {
            foreach (var url in (builder.Configuration[setting] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && !uri.IsDefaultPort && uri.Port > 0)
                {
                    ports.Add(new FixedPort(uri.Port, setting));
                }
            }
        }

        return ports.Distinct().ToList();
    }

    /// <summary>
    /// Whether this run's ports are randomized: Aspire.Hosting.Testing sets <c>DcpPublisher:RandomizePorts</c>
    /// so that applications started side by side get ports of their own.
    /// </summary>
    public static bool PortsRandomized(IConfiguration configuration) => configuration.GetValue("DcpPublisher:RandomizePorts", false);

    /// <summary>Those of <paramref name="ports"/> that something on this machine already listens on (checked on 127.0.0.1).</summary>
    public static IReadOnlyList<FixedPort> Taken(IEnumerable<FixedPort> ports) => ports.Where(p => !IsFree(p.Port)).ToList();

    /// <summary>
    /// In run mode with fixed ports (not under Aspire.Hosting.Testing, which randomizes them), the
    /// message to stop with when a port is taken; null when every port is free.
    /// </summary>
    public static string? Check(IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.ExecutionContext.IsRunMode || PortsRandomized(builder.Configuration))
        {
            return null;
        }

        const string choose = "choose other ports (UserService:Port, AuditService:Port, Kafka:Port, Postgres:Port; the dashboard's in "
            + "src/UserAudit.AppHost/Properties/launchSettings.json).";
        var ports = FixedPorts(builder);
        var invalid = ports.Where(p => p.Port is < 1 or > IPEndPoint.MaxPort).ToList();
        if (invalid.Count > 0)
        {
            return $"Cannot start: not a TCP port (1 to {IPEndPoint.MaxPort}): {string.Join(", ", invalid.Select(p => $"{p.Port} ({p.Owner})"))}; {choose}";
        }

        // Two settings naming one port would pass the check below and fail when the second binds.
        var shared = ports.GroupBy(p => p.Port).Where(g => g.Count() > 1).ToList();
        if (shared.Count > 0)
        {
            return $"Cannot start: one port named for several listeners: {string.Join(", ", shared.Select(g => $"{g.Key} ({string.Join(" and ", g.Select(p => p.Owner))})"))}; "
                + choose;
        }

        var taken = Taken(ports);
        return taken.Count == 0
            ? null
            : $"Cannot start: port(s) already in use on this machine: {string.Join(", ", taken.Select(p => $"{p.Port} ({p.Owner})"))}. "
                + "Is another UserAudit AppHost running? Stop it, or " + choose;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
