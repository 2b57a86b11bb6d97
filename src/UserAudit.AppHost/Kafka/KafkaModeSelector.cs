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
    /// <param name="probeContainerRuntimes">Asks the container runtimes; only called in auto mode.</param>
    /// <exception cref="ArgumentException">The mode is unknown, or external without a connection string.</exception>
    public static KafkaModeDecision Select(string? configured, string? externalConnectionString, Func<ContainerRuntimeProbeResult> probeContainerRuntimes)
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
            case KafkaMode.Container or KafkaMode.Embedded:
                return new(mode, $"Kafka:Mode is {text.ToLowerInvariant()}.");
        }

        var probe = probeContainerRuntimes();
        return probe.Running is { } runtime
            ? new(KafkaMode.Container, $"Kafka:Mode is auto and {runtime.Runtime} answers: using the Kafka container. Probe: {probe}.")
            : new(KafkaMode.Embedded, $"Kafka:Mode is auto and no container runtime answers: using the embedded in-memory broker. Probe: {probe}.");
    }
}
