using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using UserAudit.AppHost.Kafka;
using UserAudit.AppHost.Postgres;
using Xunit;
using static UserAudit.Tests.Hosting.EnvironmentCallbacks;

namespace UserAudit.Tests.Hosting;

/// <summary>
/// The PostgreSQL resource's modes, checked in the application model without starting anything:
/// the same auto rule as Kafka's, local mode's server command, the container of Aspire.Hosting.PostgreSQL,
/// and what a service referencing it gets.
/// </summary>
public sealed class PostgresHostingModelTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("useraudit-pg-model-").FullName;

    private static ContainerRuntimeProbeResult Running(string runtime) =>
        new([new ContainerRuntimeFinding(runtime, $"/usr/bin/{runtime}", true, "the engine listed its containers")]);

    private static ContainerRuntimeProbeResult NoneRunning() =>
        new([new ContainerRuntimeFinding("docker", null, false, "not found on PATH")]);

    [Fact]
    public void Auto_mode_uses_the_container_when_a_runtime_answers_and_the_local_server_otherwise()
    {
        Assert.Equal(PostgresMode.Container, PostgresModeSelector.Select(null, null, publishing: false, () => Running("docker")).Mode);
        var local = PostgresModeSelector.Select("auto", null, publishing: false, NoneRunning);
        Assert.Equal(PostgresMode.Local, local.Mode);
        Assert.Contains("no container runtime answers", local.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Publishing_never_probes_and_refuses_the_local_server()
    {
        Assert.Equal(PostgresMode.Container, PostgresModeSelector.Select("auto", null, publishing: true, () => throw new InvalidOperationException("must not probe")).Mode);
        Assert.Throws<ArgumentException>(() => PostgresModeSelector.Select("local", null, publishing: true, NoneRunning));
    }

    [Fact]
    public void External_mode_without_a_connection_string_names_the_missing_setting()
    {
        var error = Assert.Throws<ArgumentException>(() => PostgresModeSelector.Select("external", "", publishing: false, NoneRunning));

        Assert.Contains("ConnectionStrings:postgres", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_server_binaries_fail_with_one_line_naming_the_package()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PostgresServerBinaries.Find(null, _root));

        Assert.Contains("'postgresql' package", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void The_newest_installed_version_is_found()
    {
        foreach (var version in (string[])["13", "15"])
        {
            var bin = Directory.CreateDirectory(Path.Combine(_root, version, "bin")).FullName;
            File.WriteAllText(Path.Combine(bin, "initdb"), "");
            File.WriteAllText(Path.Combine(bin, "postgres"), "");
        }

        Assert.Equal(Path.Combine(_root, "15", "bin"), PostgresServerBinaries.Find(null, _root));
    }

    [Fact]
    public async Task Local_server_listens_on_loopback_only_on_its_fixed_port_with_its_data_under_the_data_root()
    {
        var bin = Directory.CreateDirectory(Path.Combine(_root, "bin")).FullName;
        File.WriteAllText(Path.Combine(bin, "initdb"), "");
        File.WriteAllText(Path.Combine(bin, "postgres"), "");
        var builder = DistributedApplication.CreateBuilder(["--Postgres:Mode=local", "--Postgres:Port=15433", $"--Postgres:BinDirectory={bin}"]);

        var postgres = builder.AddPostgresForMode("postgres", _root);

        var local = Assert.IsType<LocalPostgresResource>(postgres.Resource);
        var endpoint = Assert.Single(local.Annotations.OfType<EndpointAnnotation>());
        Assert.Equal((15433, 15433, false), (endpoint.Port, endpoint.TargetPort, endpoint.IsProxied));
        Assert.Equal(Path.Combine(_root, "postgres"), local.DataDirectory);
        var arguments = new List<object>();
        foreach (var callback in local.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(new CommandLineArgsCallbackContext(arguments, TestContext.Current.CancellationToken));
        }

        var text = arguments.Select(Text).ToList();
        Assert.Contains("listen_addresses=127.0.0.1", text);
        Assert.Equal("15433", text[text.IndexOf("-p") + 1]);
        Assert.Contains(Path.Combine(bin, "postgres"), text);
        if (LocalPostgresCluster.RunsAsRoot)
        {
            // PostgreSQL refuses root: the server runs as the Debian package's unprivileged user.
            Assert.Equal("runuser", local.Command);
            Assert.Equal(["-u", "postgres", "--"], text.Take(3));
        }

        Assert.StartsWith("Host=127.0.0.1;Port={postgres.bindings.tcp.port};Username=postgres;Password={postgres-password.value}",
            local.ConnectionStringExpression.ValueExpression, StringComparison.Ordinal);
        Assert.Single(local.Annotations.OfType<HealthCheckAnnotation>());
    }

    [Fact]
    public void Container_mode_is_the_aspire_postgres_container_on_the_configured_port_with_its_options()
    {
        var builder = DistributedApplication.CreateBuilder(["--Postgres:Mode=container", "--Postgres:Port=15434", "--Postgres:DataVolume=true"]);

        var postgres = builder.AddPostgresForMode("postgres", _root);

        var server = Assert.IsType<PostgresServerResource>(postgres.Resource);
        Assert.Equal(15434, server.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "tcp").Port);
        // The data directory moved with PostgreSQL 18 (/var/lib/postgresql/data before): Aspire picks it by image version.
        Assert.Contains(server.Annotations.OfType<ContainerMountAnnotation>(), m => m.Type == ContainerMountType.Volume && m.Target.StartsWith("/var/lib/postgresql", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_service_on_postgres_gets_the_provider_and_the_connection_string_and_waits_for_the_server()
    {
        var builder = DistributedApplication.CreateBuilder(["--Postgres:Mode=external", "--ConnectionStrings:postgres=Host=db.example;Username=audit"]);
        var postgres = builder.AddPostgresForMode("postgres", _root);
        var service = builder.AddExecutable("service", "service", ".").WithPostgresStorage(postgres);

        var env = await RunAsync(service.Resource);

        Assert.Equal("postgres", Text(env["Storage__Provider"]));
        Assert.Equal("{postgres.connectionString}", Text(env["ConnectionStrings__postgres"]));
        Assert.Contains(service.Resource.Annotations.OfType<WaitAnnotation>(), w => w.Resource == postgres.Resource);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
