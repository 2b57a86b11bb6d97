using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UserAudit.AppHost.Kafka;
using UserAudit.Tests.Infrastructure;
using Xunit;
using static UserAudit.Tests.Hosting.FakeContainerClis;

namespace UserAudit.Tests.Hosting;

/// <summary>
/// Auto mode against fake <c>docker</c> and <c>podman</c> commands on the probe's <c>PATH</c>: the
/// answers of a running engine, a stopped one, Podman's own output, and a CLI that hangs.
/// </summary>
public sealed class ContainerRuntimeProbeTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly FakeContainerClis _clis = new();

    private KafkaModeDecision AutoMode(TimeSpan? timeout = null, string? configuredRuntime = null) =>
        KafkaModeSelector.Select("auto", null, publishing: false,
            () => new ContainerRuntimeProbe(_clis.Folder, timeout ?? Patience, configuredRuntime, "ASPIRE_CONTAINER_RUNTIME").Probe());

    [Fact]
    public void A_running_docker_engine_selects_the_container_and_the_reason_names_it()
    {
        _clis.With("docker", DockerListing);

        var decision = AutoMode();

        Assert.Equal(KafkaMode.Container, decision.Mode);
        Assert.Contains($"docker ({_clis.Folder}/docker): the engine listed its containers", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("podman: not found on PATH", decision.Reason, StringComparison.Ordinal);
        Assert.Equal(["container ls --last 1 --format table {{.ID}}"], _clis.CallsTo("docker"));
    }

    [Fact]
    public void A_stopped_docker_daemon_is_not_taken_for_a_running_engine_although_the_cli_exits_0()
    {
        _clis.With("docker", DockerDaemonStoppedExit0);

        var decision = AutoMode();

        Assert.Equal(KafkaMode.Embedded, decision.Mode);
        Assert.Contains("exited 0 without listing containers: Cannot connect to the Docker daemon", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Podman_alone_is_detected_from_its_real_output()
    {
        _clis.With("docker", DockerDaemonStoppedExit0).With("podman", PodmanListing);

        var decision = AutoMode();

        Assert.Equal(KafkaMode.Container, decision.Mode);
        Assert.Contains("podman answers", decision.Reason, StringComparison.Ordinal);
        Assert.Single(_clis.CallsTo("podman"));
    }

    [Fact]
    public void Docker_is_preferred_when_both_engines_run_as_the_orchestrator_prefers_it()
    {
        _clis.With("docker", DockerListing).With("podman", PodmanListing);

        var decision = AutoMode();

        Assert.Contains("docker answers", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configured_runtime_is_the_only_one_asked_since_the_orchestrator_uses_no_other()
    {
        _clis.With("docker", DockerListing).With("podman", PodmanMachineStopped);

        var decision = AutoMode(configuredRuntime: "podman");

        Assert.Equal(KafkaMode.Embedded, decision.Mode);
        Assert.Contains("ASPIRE_CONTAINER_RUNTIME=podman (only it was asked)", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("exited with code 125: Error: unable to connect to Podman socket", decision.Reason, StringComparison.Ordinal);
        Assert.Empty(_clis.CallsTo("docker"));
    }

    [Fact]
    public void The_runtime_setting_is_read_where_the_orchestrator_reads_it_command_line_first()
    {
        _clis.With("docker", DockerListing).With("podman", PodmanListing);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PATH"] = _clis.Folder,
            ["ASPIRE_CONTAINER_RUNTIME"] = "docker",
            ["DcpPublisher:ContainerRuntime"] = "podman",
        }).Build();

        var result = ContainerRuntimeProbe.FromConfiguration(configuration, Patience).Probe();

        Assert.Equal("podman", result.Running?.Runtime);
        Assert.Equal("DcpPublisher:ContainerRuntime=podman", result.ConfiguredBy);
        Assert.Empty(_clis.CallsTo("docker"));
    }

    [Fact]
    public async Task A_runtime_that_hangs_is_given_up_after_the_probe_timeout_and_stopped()
    {
        _clis.With("docker", Hangs).With("podman", PodmanMachineStopped);

        var decision = AutoMode(timeout: TimeSpan.FromMilliseconds(500));

        Assert.Equal(KafkaMode.Embedded, decision.Mode);
        Assert.Contains("did not answer within 0.5 s", decision.Reason, StringComparison.Ordinal);
        var pid = _clis.ProcessIdOf("docker");
        await Eventually.TrueAsync(_ => Task.FromResult(!Directory.Exists($"/proc/{pid}")), "the hanging fake to be stopped", Patience, TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Nothing_on_path_falls_back_to_the_embedded_broker()
    {
        var decision = AutoMode();

        Assert.Equal(KafkaMode.Embedded, decision.Mode);
        Assert.Contains("docker: not found on PATH; podman: not found on PATH", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_app_host_logs_the_mode_and_what_the_probe_found()
    {
        _clis.With("docker", DockerDaemonStoppedExit0).With("podman", PodmanListing);
        var builder = DistributedApplication.CreateBuilder(["--Kafka:Mode=auto", $"--PATH={_clis.Folder}"]);

        var kafka = builder.AddKafkaForMode<Projects.UserAudit_KafkaBroker>("kafka");

        Assert.IsType<KafkaServerResource>(kafka.Resource);
        var lines = new List<string>();
        await using var services = new ServiceCollection().AddLogging(l => l.AddProvider(new LineCapture(lines))).BuildServiceProvider();
        using var resourceLogs = new ResourceLoggerService();
        var notifications = new ResourceNotificationService(
            services.GetRequiredService<ILogger<ResourceNotificationService>>(),
            new Microsoft.Extensions.Hosting.Internal.ApplicationLifetime(services.GetRequiredService<ILogger<Microsoft.Extensions.Hosting.Internal.ApplicationLifetime>>()),
            services, resourceLogs);
        await builder.Eventing.PublishAsync(new InitializeResourceEvent(kafka.Resource, builder.Eventing, resourceLogs, notifications, services), TestContext.Current.CancellationToken);

        var line = Assert.Single(lines, l => l.StartsWith("Kafka mode", StringComparison.Ordinal));
        Assert.Contains("Kafka mode Container: Kafka:Mode is auto and podman answers", line, StringComparison.Ordinal);
        Assert.Contains("docker (", line, StringComparison.Ordinal);
    }

    public void Dispose() => _clis.Dispose();
}
