using System.Globalization;

namespace UserAudit.LoadTest.Load;

/// <summary>
/// Samples the resident memory (VmRSS) of the services' processes while a run lasts (Linux /proc).
/// A process matches a name when its program or first assembly is that name (the apphost
/// <c>UserService</c>, or <c>dotnet UserService.dll</c>); <c>dotnet run</c> launchers do not.
/// </summary>
/// <param name="names">Process names to sample.</param>
/// <param name="interval">Time between samples of <see cref="RunAsync"/>.</param>
/// <param name="openUnder">
/// When set, only processes that hold a file under this directory open count (a service's
/// database under its data root): another copy of the services on the machine, such as another
/// checkout's tests, is left out.
/// </param>
public sealed class ProcessMemory(IReadOnlyList<string> names, TimeSpan interval, string? openUnder = null)
{
    private readonly string? _openUnder = openUnder is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(openUnder)) + Path.DirectorySeparatorChar;
    private readonly Dictionary<string, long> _peakKb = [];

    /// <summary>Highest resident memory seen per name, in MiB; names never found are absent.</summary>
    public IReadOnlyDictionary<string, double> PeakMiB
    {
        get
        {
            lock (_peakKb)
            {
                return _peakKb.ToDictionary(p => p.Key, p => Math.Round(p.Value / 1024.0, 1));
            }
        }
    }

    /// <summary>Samples until cancelled; does nothing where /proc is missing.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux() || names.Count == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                Sample();
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Takes one sample now.</summary>
    public void Sample()
    {
        foreach (var (name, kb) in Read())
        {
            lock (_peakKb)
            {
                _peakKb[name] = Math.Max(_peakKb.GetValueOrDefault(name), kb);
            }
        }
    }

    /// <summary>
    /// Resident memory now (not the peak) per name, summed over the processes that match it (replicas
    /// of one service add up); names with no process are absent, and so is everything where /proc is missing.
    /// </summary>
    public IReadOnlyDictionary<string, ResidentMemory> Current()
    {
        if (!OperatingSystem.IsLinux())
        {
            return new Dictionary<string, ResidentMemory>();
        }

        return Read().GroupBy(p => p.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new ResidentMemory(Math.Round(g.Sum(p => p.Kb) / 1024.0, 1), g.Count()), StringComparer.Ordinal);
    }

    // Every matching process's name and VmRSS in kB.
    private List<(string Name, long Kb)> Read()
    {
        var found = new List<(string Name, long Kb)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                continue;
            }

            try
            {
                var name = Match(File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries));
                if (name is null || (_openUnder is not null && !HoldsFileUnder(directory, _openUnder)))
                {
                    continue;
                }

                var rss = File.ReadLines(Path.Combine(directory, "status")).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                if (rss is not null && long.TryParse(rss["VmRSS:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var kb))
                {
                    found.Add((name, kb));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended between listing and reading.
            }
        }

        return found;
    }

    private static bool HoldsFileUnder(string process, string root) =>
        new DirectoryInfo(Path.Combine(process, "fd")).EnumerateFileSystemInfos()
            .Any(fd => fd.LinkTarget is { } target && target.StartsWith(root, StringComparison.Ordinal));

    private string? Match(string[] arguments)
    {
        if (arguments.Length == 0)
        {
            return null;
        }

        var program = Path.GetFileName(arguments[0]);
        var assembly = program is "dotnet" && arguments.Length > 1 ? arguments[1] is "exec" && arguments.Length > 2 ? arguments[2] : arguments[1] : null;
        foreach (var name in names)
        {
            if (program == name || (assembly is not null && Path.GetFileName(assembly) == name + ".dll"))
            {
                return name;
            }
        }

        return null;
    }
}

/// <summary>Resident memory of one service now.</summary>
/// <param name="MiB">VmRSS summed over its processes, in MiB.</param>
/// <param name="Processes">How many processes matched (more than one: replicas, or another copy of the service on the machine).</param>
public sealed record ResidentMemory(double MiB, int Processes);
