namespace UserAudit.ServiceDefaults.Storage;

/// <summary>Which database a service keeps its data in (configuration key <c>Storage:Provider</c>).</summary>
public enum StorageProvider
{
    /// <summary>An embedded SQLite file under <see cref="StorageOptions.DataDirectory"/>: one machine, no server.</summary>
    Sqlite,

    /// <summary>
    /// A PostgreSQL server named by the connection string <c>postgres</c>; each service keeps its own
    /// database on it, so several replicas on several hosts can share it.
    /// </summary>
    Postgres,
}
