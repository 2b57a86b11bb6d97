using System.Diagnostics;

namespace UserAudit.Shared;

/// <summary>
/// Runs a program to its end and fails with its output when it fails: the AppHost's local
/// PostgreSQL (<c>initdb</c>, <c>chown</c>) and the load generator's scratch server run the same
/// tools. Linked into each of those projects as source.
/// </summary>
internal static class ExternalProgram
{
    /// <summary>Runs <paramref name="command"/> with <paramref name="arguments"/> and waits for it.</summary>
    /// <exception cref="InvalidOperationException">It could not start or exited with another code than 0; its output is in the message.</exception>
    public static async Task RunAsync(string command, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({process.ExitCode}): {(await error).Trim()} {(await output).Trim()}");
        }
    }
}
