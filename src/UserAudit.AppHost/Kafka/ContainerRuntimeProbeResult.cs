namespace UserAudit.AppHost.Kafka;

/// <summary>The outcome of a <see cref="ContainerRuntimeProbe"/>: every runtime asked, and the one to use.</summary>
/// <param name="Findings">One finding per runtime asked, in preference order.</param>
/// <param name="ConfiguredBy">The setting that named the runtime (<c>ASPIRE_CONTAINER_RUNTIME=podman</c>), so only it was asked; null when none did.</param>
public sealed record ContainerRuntimeProbeResult(IReadOnlyList<ContainerRuntimeFinding> Findings, string? ConfiguredBy = null)
{
    /// <summary>
    /// The runtime that answers, or null: the first running one in preference order, which is
    /// Docker before Podman when both run, as the orchestrator (DCP) chooses.
    /// </summary>
    public ContainerRuntimeFinding? Running => Findings.FirstOrDefault(f => f.IsRunning);

    /// <summary>Every finding in one sentence, for the log.</summary>
    public override string ToString()
    {
        var findings = string.Join("; ", Findings);
        return ConfiguredBy is null ? findings : $"{ConfiguredBy} (only it was asked): {findings}";
    }
}
