namespace UserAudit.AppHost.Postgres;

/// <summary>Where the <c>postgres</c> resource comes from (configuration key <c>Postgres:Mode</c>).</summary>
public enum PostgresMode
{
    /// <summary>
    /// Running: <see cref="Container"/> when a container runtime answers, else <see cref="Local"/>.
    /// Publishing: <see cref="Container"/>, whatever this machine runs.
    /// </summary>
    Auto,

    /// <summary>The <c>postgres</c> container of Aspire.Hosting.PostgreSQL.</summary>
    Container,

    /// <summary>The machine's own PostgreSQL server binaries (Debian's <c>postgresql</c> package) as an executable.</summary>
    Local,

    /// <summary>An existing server named by <c>ConnectionStrings:postgres</c>; nothing is started.</summary>
    External,
}
