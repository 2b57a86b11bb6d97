using UserAudit.AppHost.Kafka;
using Xunit;

namespace UserAudit.Tests.Hosting;

public sealed class KafkaModeSelectionTests
{
    private static ContainerRuntimeProbeResult Running(string runtime) =>
        new([new ContainerRuntimeFinding(runtime, $"/usr/bin/{runtime}", true, "the engine listed its containers")]);

    private static ContainerRuntimeProbeResult NoneRunning() =>
        new([new ContainerRuntimeFinding("docker", null, false, "not found on PATH")]);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("auto")]
    [InlineData("AUTO")]
    public void Auto_mode_uses_the_container_when_a_runtime_answers(string? configured)
    {
        var decision = KafkaModeSelector.Select(configured, null, publishing: false, () => Running("podman"));

        Assert.Equal(KafkaMode.Container, decision.Mode);
        Assert.Contains("podman", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_mode_falls_back_to_the_embedded_broker_when_no_runtime_answers()
    {
        var decision = KafkaModeSelector.Select("auto", null, publishing: false, () => NoneRunning());

        Assert.Equal(KafkaMode.Embedded, decision.Mode);
        Assert.Contains("no container runtime answers", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("embedded", KafkaMode.Embedded)]
    [InlineData("Container", KafkaMode.Container)]
    public void An_explicit_mode_is_used_without_probing(string configured, KafkaMode expected)
    {
        var decision = KafkaModeSelector.Select(configured, null, publishing: false, () => throw new InvalidOperationException("must not probe"));

        Assert.Equal(expected, decision.Mode);
    }

    [Fact]
    public void External_mode_is_chosen_when_asked_for_with_a_connection_string()
    {
        var decision = KafkaModeSelector.Select("external", "broker-1:9092,broker-2:9092", publishing: false, () => NoneRunning());

        Assert.Equal(KafkaMode.External, decision.Mode);
    }

    [Fact]
    public void External_mode_without_a_connection_string_names_the_missing_setting()
    {
        var error = Assert.Throws<ArgumentException>(() => KafkaModeSelector.Select("external", " ", publishing: false, () => NoneRunning()));

        Assert.Contains("ConnectionStrings:kafka", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kraft")]
    [InlineData("1")]
    public void An_unknown_mode_is_rejected_with_the_valid_choices(string configured)
    {
        var error = Assert.Throws<ArgumentException>(() => KafkaModeSelector.Select(configured, null, publishing: false, () => NoneRunning()));

        Assert.Contains("auto, container, embedded, external", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("auto")]
    [InlineData("container")]
    public void Publishing_describes_the_kafka_container_without_asking_this_machine(string? configured)
    {
        var decision = KafkaModeSelector.Select(configured, null, publishing: true, () => throw new InvalidOperationException("must not probe"));

        Assert.Equal(KafkaMode.Container, decision.Mode);
    }

    [Fact]
    public void Publishing_keeps_an_external_cluster()
    {
        var decision = KafkaModeSelector.Select("external", "broker-1:9092", publishing: true, () => throw new InvalidOperationException("must not probe"));

        Assert.Equal(KafkaMode.External, decision.Mode);
    }

    [Fact]
    public void Publishing_the_embedded_broker_is_refused_with_the_modes_that_publish()
    {
        var error = Assert.Throws<ArgumentException>(() => KafkaModeSelector.Select("embedded", null, publishing: true, () => NoneRunning()));

        Assert.Contains("in-memory development broker", error.Message, StringComparison.Ordinal);
        Assert.Contains("container", error.Message, StringComparison.Ordinal);
        Assert.Contains("external", error.Message, StringComparison.Ordinal);
    }
}
