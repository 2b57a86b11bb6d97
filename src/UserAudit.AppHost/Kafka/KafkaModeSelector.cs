using System.Diagnostics;

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
    /// <param name="containerRuntimeAnswers">Probe for a container runtime; only called in auto mode.</param>
    /// <exception cref="ArgumentException">The mode is unknown, or external without a connection string.</exception>
    public static KafkaModeDecision Select(string? configured, string? externalConnectionString, Func<string?> containerRuntimeAnswers)
    {
        ArgumentNullException.ThrowIfNull(containerRuntimeAnswers);
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

        var runtime = containerRuntimeAnswers();
        return runtime is not null
            ? new(KafkaMode.Container, $"Kafka:Mode is auto and the container runtime '{runtime}' answered.")
            : new(KafkaMode.Embedded, "Kafka:Mode is auto and no container runtime (docker, podman) answered: using the embedded in-memory broker.");
    }

    /// <summary>
    /// Asks <c>docker info</c>, then <c>podman info</c>, each for at most <paramref name="timeout"/>;
    /// returns the first that answers, or null.
    /// </summary>
    public static string? ProbeContainerRuntime(TimeSpan timeout)
    {
        foreach (var runtime in (string[])["docker", "podman"])
        {
            if (Answers(runtime, timeout))
            {
                return runtime;
            }
        }

        return null;
    }

    private static bool Answers(string runtime, TimeSpan timeout)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }

            // Drain both pipes so a chatty runtime cannot block on a full buffer.
            process.OutputDataReceived += static (_, _) => { };
            process.ErrorDataReceived += static (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            // Start-up decision before the app model exists: a bounded synchronous wait is the point.
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not installed
        }
    }
}
