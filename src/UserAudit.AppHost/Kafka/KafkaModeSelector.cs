namespace UserAudit.AppHost.Kafka;

/// <summary>Decides the Kafka mode, and says why, so the choice can be logged and tested.</summary>
public static class KafkaModeSelector
{
    /// <summary>
    /// Resolves <paramref name="configured"/> (the value of <c>Kafka:Mode</c>, case-insensitive,
    /// empty meaning <c>auto</c>).
    /// </summary>
    /// <param name="configured">Configured mode.</param>
    /// <param name="externalConnectionString">Value of <c>ConnectionStrings:kafka</c>, if any.</param>
    /// <param name="publishing">
    /// True when the AppHost writes a deployment artifact instead of running: the artifact must not
    /// depend on the machine that writes it, so nothing is probed and <c>auto</c> means the container.
    /// </param>
    /// <param name="probeContainerRuntimes">Asks the container runtimes; only called in auto mode when running.</param>
    /// <exception cref="ArgumentException">
    /// The mode is unknown, external without a connection string, or embedded while publishing.
    /// </exception>
    public static KafkaModeDecision Select(string? configured, string? externalConnectionString, bool publishing, Func<ContainerRuntimeProbeResult> probeContainerRuntimes)
    {
        ArgumentNullException.ThrowIfNull(probeContainerRuntimes);
        var text = string.IsNullOrWhiteSpace(configured) ? nameof(KafkaMode.Auto) : configured.Trim();
        if (!Enum.TryParse<KafkaMode>(text, ignoreCase: true, out var mode) || int.TryParse(text, out _))
        {
            throw new ArgumentException(
                $"Kafka:Mode '{text}' is not one of auto, container, embedded, external.", nameof(configured));
        }

        switch (mode)
        {
            case KafkaMode.External when string.IsNullOrWhiteSpace(externalConnectionString):
                throw new ArgumentException(
                    "Kafka:Mode is external but ConnectionStrings:kafka is not set.", nameof(externalConnectionString));
            case KafkaMode.External:
                return new(mode, "Kafka:Mode is external: using the cluster in ConnectionStrings:kafka.");
            case KafkaMode.Embedded when publishing:
                throw new ArgumentException(
                    "Kafka:Mode is embedded, but the embedded broker is an in-memory development broker and is never published: " +
                    "publish with Kafka:Mode container (what auto means when publishing) or external.", nameof(configured));
            case KafkaMode.Container or KafkaMode.Embedded:
                return new(mode, $"Kafka:Mode is {text.ToLowerInvariant()}.");
            case KafkaMode.Auto when publishing:
                return new(KafkaMode.Container,
                    "Kafka:Mode is auto and the AppHost is publishing: the deployment gets the Kafka container, whatever runs on this machine (nothing was probed).");
        }

        var probe = probeContainerRuntimes();
        return probe.Running is { } runtime
            ? new(KafkaMode.Container, $"Kafka:Mode is auto and {runtime.Runtime} answers: using the Kafka container. Probe: {probe}.")
            : new(KafkaMode.Embedded, $"Kafka:Mode is auto and no container runtime answers: using the embedded in-memory broker. Probe: {probe}.");
    }
}
