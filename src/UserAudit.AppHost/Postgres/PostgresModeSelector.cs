using UserAudit.AppHost.Kafka;

namespace UserAudit.AppHost.Postgres;

/// <summary>Decides the PostgreSQL mode, and says why: the same rule as Kafka's, with <c>local</c> in place of <c>embedded</c>.</summary>
public static class PostgresModeSelector
{
    /// <summary>Resolves <paramref name="configured"/> (the value of <c>Postgres:Mode</c>, case-insensitive, empty meaning <c>auto</c>).</summary>
    /// <param name="configured">Configured mode.</param>
    /// <param name="externalConnectionString">Value of <c>ConnectionStrings:postgres</c>, if any.</param>
    /// <param name="publishing">True when the AppHost writes a deployment artifact: nothing is probed and <c>auto</c> means the container.</param>
    /// <param name="probeContainerRuntimes">Asks the container runtimes; only called in auto mode when running.</param>
    /// <exception cref="ArgumentException">The mode is unknown, external without a connection string, or local while publishing.</exception>
    public static PostgresModeDecision Select(string? configured, string? externalConnectionString, bool publishing, Func<ContainerRuntimeProbeResult> probeContainerRuntimes)
    {
        ArgumentNullException.ThrowIfNull(probeContainerRuntimes);
        var text = string.IsNullOrWhiteSpace(configured) ? nameof(PostgresMode.Auto) : configured.Trim();
        if (!Enum.TryParse<PostgresMode>(text, ignoreCase: true, out var mode) || int.TryParse(text, out _))
        {
            throw new ArgumentException($"Postgres:Mode '{text}' is not one of auto, container, local, external.", nameof(configured));
        }

        switch (mode)
        {
            case PostgresMode.External when string.IsNullOrWhiteSpace(externalConnectionString):
                throw new ArgumentException("Postgres:Mode is external but ConnectionStrings:postgres is not set.", nameof(externalConnectionString));
            case PostgresMode.External:
                return new(mode, "Postgres:Mode is external: using the server in ConnectionStrings:postgres.");
            case PostgresMode.Local when publishing:
                throw new ArgumentException(
                    "Postgres:Mode is local, but the local server runs this machine's binaries and is never published: "
                    + "publish with Postgres:Mode container (what auto means when publishing) or external.", nameof(configured));
            case PostgresMode.Container or PostgresMode.Local:
                return new(mode, $"Postgres:Mode is {text.ToLowerInvariant()}.");
            case PostgresMode.Auto when publishing:
                return new(PostgresMode.Container,
                    "Postgres:Mode is auto and the AppHost is publishing: the deployment gets the PostgreSQL container, whatever runs on this machine (nothing was probed).");
        }

        var probe = probeContainerRuntimes();
        return probe.Running is { } runtime
            ? new(PostgresMode.Container, $"Postgres:Mode is auto and {runtime.Runtime} answers: using the PostgreSQL container. Probe: {probe}.")
            : new(PostgresMode.Local, $"Postgres:Mode is auto and no container runtime answers: using this machine's PostgreSQL server binaries. Probe: {probe}.");
    }
}
