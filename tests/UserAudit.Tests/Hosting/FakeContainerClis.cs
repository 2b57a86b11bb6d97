using Xunit;

namespace UserAudit.Tests.Hosting;

/// <summary>
/// A temporary folder of fake <c>docker</c> and <c>podman</c> commands (shell scripts), to put on
/// the probe's <c>PATH</c> instead of the machine's. Each fake records its arguments, so a test can
/// tell which runtimes were asked and what.
/// </summary>
internal sealed class FakeContainerClis : IDisposable
{
    /// <summary>What <c>docker container ls</c> prints on a running engine (header, then IDs).</summary>
    public const string DockerListing = "printf 'CONTAINER ID\\n3f2a9c1d8e7b\\n'";

    /// <summary>What Podman prints for the same request with no container: its header only.</summary>
    public const string PodmanListing = "printf 'CONTAINER ID\\n'";

    /// <summary>The Docker CLI with its daemon stopped, as seen with <c>--format</c>: error on stderr, nothing on stdout, exit 0.</summary>
    public const string DockerDaemonStoppedExit0 =
        "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 0";

    /// <summary>Podman whose machine (VM) is stopped.</summary>
    public const string PodmanMachineStopped =
        "echo 'Error: unable to connect to Podman socket: failed to connect: dial tcp 127.0.0.1:52317: connect: connection refused' >&2; exit 125";

    /// <summary>A CLI that never answers.</summary>
    public const string Hangs = "exec sleep 60";

    public FakeContainerClis()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "The fake container CLIs are POSIX shell scripts.");
        Directory.CreateDirectory(Folder);
    }

    /// <summary>The folder to use as <c>PATH</c>.</summary>
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "useraudit-fake-clis", Guid.NewGuid().ToString("N"));

    /// <summary>
    /// Writes a fake <paramref name="command"/> that answers a request to list containers with
    /// <paramref name="listContainers"/> and anything else as the real CLI answers an unknown
    /// template: Podman's <c>info --format {{.ServerVersion}}</c> fails, since its info has no such field.
    /// </summary>
    public FakeContainerClis With(string command, string listContainers)
    {
        var path = Path.Combine(Folder, command);
        File.WriteAllText(path, $"""
            #!/bin/sh
            echo $$ > "{Path.Combine(Folder, command + ".pid")}"
            echo "$*" >> "{ArgumentsFile(command)}"
            case "$1 $2" in
              "container ls") {listContainers} ;;
              *) echo "Error: template: info:1:2: executing \"info\" at <.ServerVersion>: can't evaluate field ServerVersion in type *define.Info" >&2; exit 125 ;;
            esac
            """.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows()) // the constructor skipped the test there
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return this;
    }

    /// <summary>Every argument line <paramref name="command"/> was called with.</summary>
    public IReadOnlyList<string> CallsTo(string command) =>
        File.Exists(ArgumentsFile(command)) ? File.ReadAllLines(ArgumentsFile(command)) : [];

    /// <summary>The process id of the last run of <paramref name="command"/> (kept by the commands that <c>exec</c>).</summary>
    public int ProcessIdOf(string command) => int.Parse(File.ReadAllText(Path.Combine(Folder, command + ".pid")), System.Globalization.CultureInfo.InvariantCulture);

    private string ArgumentsFile(string command) => Path.Combine(Folder, command + ".calls");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A killed fake may hold its folder for a moment; the temp folder is cleaned by the OS.
        }
    }
}
