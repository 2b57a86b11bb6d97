using Microsoft.Extensions.Logging;
using UserAudit.Shared;

namespace UserAudit.AppHost.Postgres;

/// <summary>
/// Creates local mode's cluster on first start: <c>initdb</c> into a data directory owned by the
/// server's user with mode 0700 (PostgreSQL refuses any other), password authentication for the
/// <c>postgres</c> role, UTF-8. PostgreSQL refuses to run as root: when the AppHost is root (as in
/// CI), the folder is given to the Debian package's unprivileged <c>postgres</c> user and every
/// program runs as that user through <c>runuser</c>.
/// </summary>
public static partial class LocalPostgresCluster
{
    /// <summary>The unprivileged user the server runs as when the AppHost is root.</summary>
    public const string ServerUser = "postgres";

    /// <summary>True when the AppHost runs as root, so the server must run as <see cref="ServerUser"/>.</summary>
    public static bool RunsAsRoot => OperatingSystem.IsLinux() && Environment.UserName == "root";

    /// <summary>The program and arguments that run <paramref name="program"/> as the server's user.</summary>
    public static (string Command, IReadOnlyList<string> Arguments) AsServerUser(string program, IEnumerable<string> arguments) =>
        RunsAsRoot ? ("runuser", ["-u", ServerUser, "--", program, .. arguments]) : (program, [.. arguments]);

    /// <summary>Runs <c>initdb</c> unless <paramref name="dataDirectory"/> already holds a cluster.</summary>
    /// <exception cref="InvalidOperationException">initdb failed; its output is in the message.</exception>
    public static async Task EnsureCreatedAsync(string binDirectory, string dataDirectory, string password, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Postgres:Mode local runs the server through /bin/sh: use container or external mode on Windows.");
        }

        Directory.CreateDirectory(dataDirectory);
        File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var passwordFile = Path.Combine(Path.GetTempPath(), $"useraudit-pg-{Guid.NewGuid():N}");
        // Created owner-only: written first and narrowed after, the superuser's password would be
        // readable in between by anyone watching the temporary folder (an open handle outlives a chmod).
        await using (var file = new FileStream(passwordFile, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        await using (var writer = new StreamWriter(file))
        {
            await writer.WriteAsync(password.AsMemory(), cancellationToken);
        }

        try
        {
            if (RunsAsRoot)
            {
                await ExternalProgram.RunAsync("chown", [$"{ServerUser}:", dataDirectory, passwordFile], cancellationToken);
            }

            var (command, arguments) = AsServerUser(Path.Combine(binDirectory, "initdb"),
                ["-D", dataDirectory, "-U", LocalPostgresResource.UserName, "-E", "UTF8", "--auth=scram-sha-256", $"--pwfile={passwordFile}"]);
            await ExternalProgram.RunAsync(command, arguments, cancellationToken);
            LogCreated(logger, dataDirectory);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created a PostgreSQL cluster in {DataDirectory}")]
    private static partial void LogCreated(ILogger logger, string dataDirectory);
}
