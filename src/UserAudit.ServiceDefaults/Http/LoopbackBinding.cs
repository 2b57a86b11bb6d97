using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace UserAudit.ServiceDefaults.Http;

/// <summary>
/// In Development a service listens on loopback only. <c>ASPNETCORE_HTTP_PORTS</c> (what the AppHost
/// sets) and a wildcard host in <c>ASPNETCORE_URLS</c> (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>, <c>[::]</c>,
/// and any host name other than <c>localhost</c>, which Kestrel binds as a wildcard too) mean every
/// interface; here they become <c>localhost</c>, so a developer's services are reachable
/// through the AppHost's proxies and from this machine, not from the network. Outside Development
/// the URLs are the operator's to choose; <see cref="BeyondLoopbackSetting"/> opts a development
/// machine out deliberately.
/// </summary>
public static class LoopbackBinding
{
    /// <summary>Set to true to listen where the URLs say even in Development.</summary>
    public const string BeyondLoopbackSetting = "Network:ListenBeyondLoopback";


    /// <summary>Rewrites the server URLs of a Development service to loopback.</summary>
    public static void Apply(IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        if (!builder.Environment.IsDevelopment() || configuration.GetValue<bool>(BeyondLoopbackSetting))
        {
            return;
        }

        var urls = configuration["urls"];
        var loopback = string.IsNullOrWhiteSpace(urls)
            ? FromPorts(configuration["http_ports"], "http").Concat(FromPorts(configuration["https_ports"], "https")).ToList()
            : urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ToLoopback).ToList();
        if (loopback.Count > 0)
        {
            // The host reads "urls" when the server starts (it wins over the ports settings).
            configuration["urls"] = string.Join(';', loopback);
        }
    }

    private static IEnumerable<string> FromPorts(string? ports, string scheme) =>
        (ports ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(port => $"{scheme}://localhost:{port}");

    private static string ToLoopback(string url)
    {
        var address = BindingAddress.Parse(url);
        return ListensEverywhere(address.Host)
            ? $"{address.Scheme}://localhost:{address.Port}{address.PathBase}"
            : url;
    }

    // Kestrel binds localhost to loopback and an IP address to itself; anything else (*, +, a host
    // name) to every interface, as it does the unspecified addresses.
    private static bool ListensEverywhere(string host) =>
        !host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        && (!System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var ip) || ip.Equals(System.Net.IPAddress.Any) || ip.Equals(System.Net.IPAddress.IPv6Any));
}
