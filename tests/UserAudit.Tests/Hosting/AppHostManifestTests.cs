using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using UserAudit.AppHost.Kafka;
using UserAudit.Tests.Infrastructure;
using Xunit;
using static UserAudit.Tests.Hosting.FakeContainerClis;

namespace UserAudit.Tests.Hosting;

/// <summary>
/// Publishes the real AppHost's deployment manifest on this machine, where no container engine
/// runs (and a fake <c>docker</c> that would say so is on <c>PATH</c>), as a new user would with
/// <c>dotnet run --project src/UserAudit.AppHost -- --publisher manifest --output-path …</c>.
/// </summary>
public sealed class AppHostManifestTests : IDisposable
{
    private readonly FakeContainerClis _clis = new();

    private async Task<JsonObject> PublishManifestAsync(params string[] arguments)
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(_clis.Folder, "aspire-manifest.json");
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.UserAudit_AppHost>(
            ["--publisher", "manifest", "--output-path", path, $"--PATH={_clis.Folder}", .. arguments], ct);
        await using var app = await builder.BuildAsync(ct);

        // Publishing runs the manifest step and then stops the application by itself.
        await app.RunAsync(ct).WaitAsync(Eventually.DefaultTimeout, ct);
        return JsonNode.Parse(await File.ReadAllTextAsync(path, ct))!.AsObject();
    }

    [Fact]
    public async Task Manifest_describes_kafka_as_the_apache_kafka_container_and_no_embedded_broker()
    {
        _clis.With("docker", DockerDaemonStoppedExit0);

        var manifest = await PublishManifestAsync();

        var resources = manifest["resources"]!.AsObject();
        var kafka = resources["kafka"]!.AsObject();
        Assert.Equal("container.v0", (string?)kafka["type"]);
        Assert.Equal($"docker.io/apache/kafka:{KafkaContainerImageTags.Tag}", (string?)kafka["image"]);
        Assert.Equal("{kafka.bindings.tcp.host}:{kafka.bindings.tcp.port}", (string?)kafka["connectionString"]);
        var env = kafka["env"]!.AsObject();
        Assert.Equal("broker,controller", (string?)env["KAFKA_PROCESS_ROLES"]);
        Assert.Equal(
            "PLAINTEXT_HOST://{kafka.bindings.tcp.host}:{kafka.bindings.tcp.port},PLAINTEXT_INTERNAL://{kafka.bindings.internal.host}:{kafka.bindings.internal.port}",
            (string?)env["KAFKA_ADVERTISED_LISTENERS"]);
        Assert.Equal(9092, (int?)kafka["bindings"]!["tcp"]!["targetPort"]);
        Assert.Equal(9094, (int?)kafka["bindings"]!["internal"]!["targetPort"]);

        Assert.DoesNotContain(resources, r => r.Value!["type"]?.ToString() == "project.v0" && r.Value["path"]!.ToString().Contains("KafkaBroker", StringComparison.Ordinal));
        Assert.DoesNotContain("KafkaBroker", manifest.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Broker__", manifest.ToJsonString(), StringComparison.Ordinal);
        Assert.Empty(_clis.CallsTo("docker"));
    }

    [Fact]
    public async Task Both_services_get_a_pinned_youngest_generation_unless_it_is_left_to_the_runtime()
    {
        _clis.With("docker", DockerDaemonStoppedExit0);

        var pinned = (await PublishManifestAsync())["resources"]!.AsObject();
        var runtimes = (await PublishManifestAsync("--UserAudit:GCGen0SizeMiB=0"))["resources"]!.AsObject();

        foreach (var service in (string[])["user-service", "audit-service"])
        {
            // 32 MiB, in the hexadecimal bytes the runtime reads.
            Assert.Equal("2000000", (string?)pinned[service]!["env"]!["DOTNET_GCgen0size"]);
            Assert.False(runtimes[service]!["env"]!.AsObject().ContainsKey("DOTNET_GCgen0size"));
        }
    }

    [Fact]
    public async Task The_manifest_carries_no_data_folder_of_this_machine()
    {
        _clis.With("docker", DockerDaemonStoppedExit0);

        var manifest = await PublishManifestAsync();

        foreach (var service in (string[])["user-service", "audit-service"])
        {
            Assert.False(manifest["resources"]![service]!["env"]!.AsObject().ContainsKey("Storage__DataDirectory"));
        }

        Assert.DoesNotContain(".data", manifest.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_services_settings_pass_through_to_it_under_their_own_section()
    {
        _clis.With("docker", DockerDaemonStoppedExit0);

        var resources = (await PublishManifestAsync("--UserService:Auth:LockoutDuration=00:05:00", "--AuditService:Stream:MaxStreams=500",
            "--AuditService:Read:MaxPageBytes=4194304"))["resources"]!.AsObject();

        Assert.Equal("00:05:00", (string?)resources["user-service"]!["env"]!["Auth__LockoutDuration"]);
        var audit = resources["audit-service"]!["env"]!.AsObject();
        Assert.Equal(("500", "4194304"), ((string?)audit["Stream__MaxStreams"], (string?)audit["Read__MaxPageBytes"]));
        Assert.False(audit.ContainsKey("Auth__LockoutDuration"));
    }

    public void Dispose() => _clis.Dispose();
}
