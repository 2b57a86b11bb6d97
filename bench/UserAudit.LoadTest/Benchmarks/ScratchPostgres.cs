using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using UserAudit.Shared;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>
/// A throwaway PostgreSQL server for the drain and the tests' stores: a cluster made by this
/// machine's <c>initdb</c> in a temporary folder, its server on a free loopback port with the default
/// settings (as the AppHost's local mode runs it), stopped and removed afterwards. PostgreSQL refuses to run as root, so as root
/// (CI) every program runs as Debian's unprivileged <c>postgres</c> user.
/// </summary>
public sealed class ScratchPostgres : IAsyncDisposable
{
    private const string ServerUser = "postgres";
    private const string DebianRoot = "/usr/lib/postgresql";
    private readonly string _bin;
    private readonly DirectoryInfo _root;

    private ScratchPostgres(string bin, DirectoryInfo root, int port, string password)
    {
        (_bin, _root) = (bin, root);
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = port, Username = ServerUser, Password = password, Database = "postgres",
        }.ConnectionString;
    }

    /// <summary>The server's connection string (database <c>postgres</c>; each service names its own).</summary>
    public string ConnectionString { get; }

    private string DataDirectory => Path.Combine(_root.FullName, "data");

    private static bool RunsAsRoot => OperatingSystem.IsLinux() && Environment.UserName == "root";

    /// <summary>Creates the cluster and starts its server.</summary>
    /// <exception cref="InvalidOperationException">No server binaries, or initdb or the server failed (their output is in the message).</exception>
    public static async Task<ScratchPostgres> StartAsync(CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The drain's scratch PostgreSQL runs Debian's server binaries: Linux only.");
        }

        var bin = FindBinaries();
        var root = Directory.CreateTempSubdirectory("useraudit-scratch-pg-");
        var server = new ScratchPostgres(bin, root, LoopbackPort.Free(), Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        try
        {
            var passwordFile = Path.Combine(root.FullName, "password");
            await File.WriteAllTextAsync(passwordFile, new NpgsqlConnectionStringBuilder(server.ConnectionString).Password, cancellationToken);
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (RunsAsRoot)
            {
                await ExternalProgram.RunAsync("chown", ["-R", ServerUser + ":", root.FullName], cancellationToken);
            }

            await server.RunServerProgramAsync("initdb",
                ["-D", server.DataDirectory, "-U", ServerUser, "-E", "UTF8", "--auth=scram-sha-256", "--pwfile=" + passwordFile], cancellationToken);
            File.Delete(passwordFile);
            var port = new NpgsqlConnectionStringBuilder(server.ConnectionString).Port.ToString(CultureInfo.InvariantCulture);
            await server.RunServerProgramAsync("pg_ctl",
                ["-D", server.DataDirectory, "-l", Path.Combine(root.FullName, "server.log"), "-w", "-t", "60",
                 "-o", $"-p {port} -k {server.DataDirectory} -c listen_addresses=127.0.0.1", "start"], cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Drops <paramref name="database"/> if it exists, closing its sessions: the next service start creates it afresh.</summary>
    public async Task DropDatabaseAsync(string database, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The connection string of <paramref name="database"/> on this server.</summary>
    public string ConnectionStringOf(string database) => new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database }.ConnectionString;

    /// <summary>Stops the server (fast shutdown) and removes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            try
            {
                await RunServerProgramAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"], CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // Already stopped; the folder goes either way.
            }
        }

        _root.Delete(recursive: true);
    }

    private Task RunServerProgramAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        RunsAsRoot
            ? ExternalProgram.RunAsync("runuser", ["-u", ServerUser, "--", Path.Combine(_bin, program), .. arguments], cancellationToken)
            : ExternalProgram.RunAsync(Path.Combine(_bin, program), arguments, cancellationToken);

    private static string FindBinaries() =>
        (Directory.Exists(DebianRoot) ? Directory.GetDirectories(DebianRoot) : [])
            .Select(d => (Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1, Bin: Path.Combine(d, "bin")))
            .Where(d => d.Version >= 0 && File.Exists(Path.Combine(d.Bin, "initdb")) && File.Exists(Path.Combine(d.Bin, "pg_ctl")))
            .OrderByDescending(d => d.Version)
            .Select(d => d.Bin)
            .FirstOrDefault()
        ?? throw new InvalidOperationException($"No PostgreSQL server binaries (initdb, pg_ctl) under {DebianRoot}/<version>/bin: install the 'postgresql' package.");
}
