using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace UserAudit.Tests.Interop;

/// <summary>What a script printed and how it ended.</summary>
internal sealed record NodeScriptResult(string Script, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The JSON document the script printed on stdout; fails the test with the script's output when it exited non-zero.</summary>
    public JsonElement Json()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException($"node {Script} exited with {ExitCode}.\nstderr: {Stderr}\nstdout: {Stdout}");
        }

        return JsonDocument.Parse(Stdout).RootElement.Clone();
    }
}

/// <summary>
/// Runs the interop scripts in <c>tests/interop</c> (the official CloudEvents JavaScript SDK) with
/// the machine's node, with a deadline on every run.
/// </summary>
internal static class NodeScript
{
    /// <summary>Longest a script may run before it is killed.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    private static readonly Lazy<(string Node, string Folder)> Setup = new(Locate);

    /// <summary>The folder holding the scripts and their node_modules.</summary>
    public static string Folder => Setup.Value.Folder;

    /// <summary>Runs <c>node tests/interop/<paramref name="script"/></c> to its end.</summary>
    public static async Task<NodeScriptResult> RunAsync(
        string script, IEnumerable<string> arguments, string? stdin, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        using var process = Start(script, arguments, environment);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin.AsMemory(), deadline.Token);
            }

            process.StandardInput.Close();
            await process.WaitForExitAsync(deadline.Token);
            return new NodeScriptResult(script, process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {script} did not finish within {(timeout ?? DefaultTimeout).TotalSeconds:0} s.");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Starts a long-running script; the caller reads its output and ends it.</summary>
    public static Process Start(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (node, folder) = Setup.Value;
        var start = new ProcessStartInfo(node)
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(folder, script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {node}.");
    }

    private static (string Node, string Folder) Locate()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "UserAudit.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds UserAudit.sln; the interop tests run from the repository.");
        }

        var folder = Path.Combine(root.FullName, "tests", "interop");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "cloudevents")) || !Directory.Exists(Path.Combine(folder, "node_modules", "kafkajs")))
        {
            throw new InvalidOperationException($"The interop tests need the JavaScript packages in {folder}/node_modules: run `npm ci --prefix tests/interop` in the repository root (.ci/run does).");
        }

        var executable = OperatingSystem.IsWindows() ? "node.exe" : "node";
        var node = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, executable))
            .FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("The interop tests need Node.js 20 or later on PATH (`node`); on Debian: apt-get install nodejs npm.");
        return (node, folder);
    }
}
