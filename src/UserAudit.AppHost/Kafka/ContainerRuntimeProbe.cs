using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace UserAudit.AppHost.Kafka;

/// <summary>
/// Asks Docker and Podman whether their engine runs, the way the orchestrator (DCP) decides which
/// one to use: each CLI found on <c>PATH</c> is asked to list containers, all at once, within one
/// bounded wait. An engine counts as running only when it actually answered: the CLI exited 0
/// <em>and</em> printed the list's header. The exit code alone is not enough: the Docker CLI can
/// print its connection error to stderr and still exit 0 (as <c>docker info --format</c> does).
/// </summary>
/// <param name="searchPath">Folders to look for the CLIs in, <c>PATH</c>-style; tests point it at fakes.</param>
/// <param name="timeout">Longest wait for all answers together.</param>
/// <param name="configuredRuntime">The runtime configuration names for the orchestrator (<c>podman</c>); when set only it is asked, since DCP will use no other.</param>
/// <param name="configuredBy">The setting that named it (<c>ASPIRE_CONTAINER_RUNTIME</c>), for the log.</param>
public sealed class ContainerRuntimeProbe(string? searchPath, TimeSpan timeout, string? configuredRuntime = null, string? configuredBy = null)
{
    /// <summary>The runtimes asked when none is configured, in DCP's order of preference.</summary>
    public static readonly IReadOnlyList<string> KnownRuntimes = ["docker", "podman"];

    /// <summary>
    /// The settings that choose the orchestrator's runtime, in the order DCP reads them (Aspire's
    /// <c>DcpOptions</c>): <c>--dcp-container-runtime</c> lands in the first.
    /// </summary>
    public static readonly IReadOnlyList<string> RuntimeSettings = ["DcpPublisher:ContainerRuntime", "ASPIRE_CONTAINER_RUNTIME", "DOTNET_ASPIRE_CONTAINER_RUNTIME"];

    // "table" keeps the header even when the engine has no container; only an engine that answered prints it.
    private static readonly string[] ListContainers = ["container", "ls", "--last", "1", "--format", "table {{.ID}}"];
    private const string ListHeader = "CONTAINER ID";
    private const int MaxDetailLength = 200;

    /// <summary>
    /// A probe of the runtime the configuration names (<see cref="RuntimeSettings"/>), searching the
    /// configuration's <c>PATH</c> (the process environment, unless overridden).
    /// </summary>
    public static ContainerRuntimeProbe FromConfiguration(IConfiguration configuration, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var setting = RuntimeSettings.FirstOrDefault(key => !string.IsNullOrWhiteSpace(configuration[key]));
        return new ContainerRuntimeProbe(
            configuration["PATH"] ?? Environment.GetEnvironmentVariable("PATH"),
            timeout,
            setting is null ? null : configuration[setting]!.Trim(),
            setting);
    }

    /// <summary>
    /// Asks every runtime at once and waits at most the timeout for all of them; a runtime still
    /// silent then is stopped and counted as not running.
    /// </summary>
    public ContainerRuntimeProbeResult Probe()
    {
        var runtimes = configuredRuntime is null ? KnownRuntimes : [configuredRuntime.ToLowerInvariant()];
        var deadline = Stopwatch.StartNew();

        // Start them all before waiting on any, so the wait is the slowest runtime's, not the sum.
        var asked = runtimes.Select(Ask).ToList();
        try
        {
            var findings = asked.Select(a => a.Finish(() => Remaining(deadline))).ToList();
            return new ContainerRuntimeProbeResult(findings, configuredRuntime is null ? null : $"{configuredBy ?? "configured"}={configuredRuntime}");
        }
        finally
        {
            foreach (var a in asked)
            {
                a.Dispose();
            }
        }
    }

    private TimeSpan Remaining(Stopwatch elapsed) => timeout - elapsed.Elapsed is { Ticks: > 0 } left ? left : TimeSpan.Zero;

    private Question Ask(string runtime)
    {
        var executable = FindOnPath(runtime);
        if (executable is null)
        {
            return Question.Answered(new ContainerRuntimeFinding(runtime, null, false, "not found on PATH"));
        }

        var start = new ProcessStartInfo(executable, ListContainers)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        try
        {
            return Question.Started(runtime, executable, Process.Start(start)!, timeout);
        }
        catch (Win32Exception ex)
        {
            return Question.Answered(new ContainerRuntimeFinding(runtime, executable, false, $"could not be started: {Clip(ex.Message)}"));
        }
    }

    private string? FindOnPath(string command)
    {
        var names = OperatingSystem.IsWindows() ? [command + ".exe", command] : new[] { command };
        foreach (var folder in (searchPath ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(folder, name);
                if (File.Exists(candidate) && IsExecutable(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static bool IsExecutable(string path) =>
        OperatingSystem.IsWindows()
        || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    /// <summary>One line of a CLI's output, shortened and with control characters escaped, fit for a log line.</summary>
    private static string Clip(string text)
    {
        var line = text.Trim().Split('\n', 2)[0].Trim();
        var clean = new StringBuilder(Math.Min(line.Length, MaxDetailLength));
        foreach (var c in line.Take(MaxDetailLength))
        {
            clean.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c);
        }

        return line.Length > MaxDetailLength ? clean + "…" : clean.ToString();
    }

    /// <summary>A runtime asked: either answered at once (not found) or a process to wait for.</summary>
    private sealed class Question : IDisposable
    {
        private readonly string _runtime = "";
        private readonly string? _executable;
        private readonly Process? _process;
        private readonly TimeSpan _timeout;
        private readonly ContainerRuntimeFinding? _answer;
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _stderr = new();

        // Never disposed: the readers may still signal end of output after a killed process is
        // disposed, and a slim event that is only waited on with a timeout holds no OS handle.
        private readonly ManualResetEventSlim _stdoutClosed = new();
        private readonly ManualResetEventSlim _stderrClosed = new();

        private Question(ContainerRuntimeFinding answer) => _answer = answer;

        private Question(string runtime, string executable, Process process, TimeSpan timeout)
        {
            _runtime = runtime;
            _executable = executable;
            _process = process;
            _timeout = timeout;
            process.OutputDataReceived += (_, e) => Collect(_stdout, _stdoutClosed, e.Data);
            process.ErrorDataReceived += (_, e) => Collect(_stderr, _stderrClosed, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.StandardInput.Close(); // nothing to say to it; a CLI that prompts gets end of input
        }

        public static Question Answered(ContainerRuntimeFinding finding) => new(finding);

        public static Question Started(string runtime, string executable, Process process, TimeSpan timeout) => new(runtime, executable, process, timeout);

        /// <summary>Waits at most until <paramref name="remaining"/> runs out and says what the runtime answered.</summary>
        public ContainerRuntimeFinding Finish(Func<TimeSpan> remaining)
        {
            if (_answer is not null)
            {
                return _answer;
            }

            // A start-up decision made while the AppHost builds its model, before anything async
            // exists to await: a bounded blocking wait is the point here.
            var exited = _process!.WaitForExit(remaining()) && _stdoutClosed.Wait(remaining()) && _stderrClosed.Wait(remaining());
            if (!exited)
            {
                Stop();
                return Finding(false, $"did not answer within {_timeout.TotalSeconds:0.#} s");
            }

            string stdout, stderr;
            lock (_stdout)
            {
                stdout = _stdout.ToString();
                stderr = _stderr.ToString();
            }

            var listed = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .FirstOrDefault() is { } header && header.StartsWith(ListHeader, StringComparison.Ordinal);
            var error = string.IsNullOrWhiteSpace(stderr) ? "" : $": {Clip(stderr)}";
            return (_process.ExitCode, listed) switch
            {
                (0, true) => Finding(true, "the engine listed its containers"),
                (0, false) => Finding(false, $"exited 0 without listing containers{error}"),
                (var code, _) => Finding(false, $"exited with code {code}{error}"),
            };
        }

        private ContainerRuntimeFinding Finding(bool running, string detail) => new(_runtime, _executable, running, detail);

        private void Collect(StringBuilder into, ManualResetEventSlim closed, string? line)
        {
            if (line is null)
            {
                closed.Set();
                return;
            }

            lock (_stdout)
            {
                if (into.Length < 64 * 1024)
                {
                    into.Append(line).Append('\n');
                }
            }
        }

        private void Stop()
        {
            try
            {
                _process!.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited between the wait and the kill.
            }
        }

        public void Dispose() => _process?.Dispose();
    }
}
