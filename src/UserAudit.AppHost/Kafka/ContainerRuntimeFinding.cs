namespace UserAudit.AppHost.Kafka;

/// <summary>What the probe found for one container runtime.</summary>
/// <param name="Runtime">The runtime's command name (<c>docker</c>, <c>podman</c>).</param>
/// <param name="Executable">Where the command was found on <c>PATH</c>; null when it was not.</param>
/// <param name="IsRunning">True when its engine answered a request to list containers.</param>
/// <param name="Detail">What happened, for the log: the answer, the exit code and error, or the timeout.</param>
public sealed record ContainerRuntimeFinding(string Runtime, string? Executable, bool IsRunning, string Detail)
{
    /// <summary>The finding as one clause: <c>docker (/usr/bin/docker): listed its containers</c>.</summary>
    public override string ToString() => Executable is null ? $"{Runtime}: {Detail}" : $"{Runtime} ({Executable}): {Detail}";
}
