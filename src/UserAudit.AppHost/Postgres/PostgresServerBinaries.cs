namespace UserAudit.AppHost.Postgres;

/// <summary>Finds the PostgreSQL server binaries local mode runs (<c>initdb</c> and <c>postgres</c>).</summary>
public static class PostgresServerBinaries
{
    /// <summary>Where Debian's <c>postgresql</c> package puts one folder per major version.</summary>
    public const string DebianRoot = "/usr/lib/postgresql";

    /// <summary>
    /// The configured folder, or the newest <c>/usr/lib/postgresql/&lt;version&gt;/bin</c> holding both
    /// programs. Throws with one line naming what to install when none is found.
    /// </summary>
    /// <param name="configured">Value of <c>Postgres:BinDirectory</c>, if any.</param>
    /// <param name="root">The folder searched when none is configured (tests point it elsewhere).</param>
    /// <exception cref="InvalidOperationException">No folder holds both programs.</exception>
    public static string Find(string? configured, string root = DebianRoot)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return HasServer(configured) ? configured
                : throw new InvalidOperationException($"Postgres:BinDirectory '{configured}' holds no initdb and postgres: point it at a PostgreSQL server's bin folder.");
        }

        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => (Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1, Bin: Path.Combine(d, "bin")))
                .Where(d => d.Version >= 0 && HasServer(d.Bin))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Bin)
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            $"Postgres:Mode is local but no PostgreSQL server binaries (initdb, postgres) were found under {root}/<version>/bin: "
            + "install the 'postgresql' package (apt-get install postgresql), set Postgres:BinDirectory, or use Postgres:Mode container or external.");
    }

    private static bool HasServer(string bin) => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "postgres"));
}
