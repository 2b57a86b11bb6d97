using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using UserAudit.AppHost.Hosting;
using UserAudit.LoadTest.Benchmarks;
using Xunit;

namespace UserAudit.Tests.Hosting;

/// <summary>A run whose fixed ports are taken (another AppHost running) stops with one line naming them.</summary>
public sealed class PortPreflightTests
{
    [Fact]
    public void The_fixed_ports_are_the_resources_fixed_endpoints_and_the_dashboards_addresses()
    {
        var (users, broker, dashboard) = (LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free());
        var builder = DistributedApplication.CreateBuilder([$"--ASPNETCORE_URLS=http://localhost:{dashboard}", "--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost"]);
        builder.AddProject<Projects.UserService>("user-service", project => project.ExcludeLaunchProfile = true).WithHttpEndpoint(port: users);
        builder.AddProject<Projects.AuditService>("audit-service", project => project.ExcludeLaunchProfile = true).WithHttpEndpoint();
        builder.AddExecutable("broker", "broker", ".").WithEndpoint(port: broker, name: "tcp", isProxied: false);

        var ports = PortPreflight.FixedPorts(builder);

        PortPreflight.FixedPort[] expected = [new(users, "user-service (http)"), new(broker, "broker (tcp)"), new(dashboard, "ASPNETCORE_URLS")];
        Assert.Equal(expected, ports);
    }

    [Fact]
    public void A_port_something_listens_on_is_named_with_its_owner_and_a_free_one_is_not()
    {
        using var other = new TcpListener(IPAddress.Loopback, 0);
        other.Start();
        var taken = ((IPEndPoint)other.LocalEndpoint).Port;
        var builder = DistributedApplication.CreateBuilder([$"--ASPNETCORE_URLS=http://localhost:{LoopbackPort.Free()}"]);
        builder.AddProject<Projects.UserService>("user-service", project => project.ExcludeLaunchProfile = true).WithHttpEndpoint(port: taken);

        var message = PortPreflight.Check(builder);

        Assert.NotNull(message);
        Assert.Contains($"{taken} (user-service (http))", message, StringComparison.Ordinal);
        Assert.DoesNotContain("(ASPNETCORE_URLS)", message, StringComparison.Ordinal);
        Assert.Contains("Is another UserAudit AppHost running?", message, StringComparison.Ordinal);
    }

    [Fact]
    public void One_port_named_for_two_listeners_is_named_with_both_before_anything_binds()
    {
        var port = LoopbackPort.Free();
        var builder = DistributedApplication.CreateBuilder([$"--ASPNETCORE_URLS=http://localhost:{LoopbackPort.Free()}"]);
        builder.AddProject<Projects.UserService>("user-service", project => project.ExcludeLaunchProfile = true).WithHttpEndpoint(port: port);
        builder.AddProject<Projects.AuditService>("audit-service", project => project.ExcludeLaunchProfile = true).WithHttpEndpoint(port: port);

        var message = PortPreflight.Check(builder);

        Assert.Contains($"{port} (user-service (http) and audit-service (http))", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_port_outside_the_tcp_range_is_named_not_thrown()
    {
        var builder = DistributedApplication.CreateBuilder([$"--ASPNETCORE_URLS=http://localhost:{LoopbackPort.Free()}"]);
        builder.AddProject<Projects.UserService>("user-service", project => project.ExcludeLaunchProfile = true).WithHttpEndpoint(port: 70000);

        var message = PortPreflight.Check(builder);

        Assert.Contains("not a TCP port (1 to 65535): 70000 (user-service (http))", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_is_checked_when_ports_are_randomized_or_when_publishing()
    {
        using var other = new TcpListener(IPAddress.Loopback, 0);
        other.Start();
        var taken = ((IPEndPoint)other.LocalEndpoint).Port;

        var testing = DistributedApplication.CreateBuilder(["--DcpPublisher:RandomizePorts=true"]);
        testing.AddProject<Projects.UserService>("user-service", project => project.ExcludeLaunchProfile = true).WithHttpEndpoint(port: taken);
        var publishing = DistributedApplication.CreateBuilder(["--publisher", "manifest", "--output-path", Path.Combine(Path.GetTempPath(), "unused.json")]);
        publishing.AddProject<Projects.UserService>("user-service", project => project.ExcludeLaunchProfile = true).WithHttpEndpoint(port: taken);

        Assert.Null(PortPreflight.Check(testing));
        Assert.Null(PortPreflight.Check(publishing));
    }
}
