using System.Data.Common;

namespace UserAudit.ServiceDefaults.Storage;

/// <summary>
/// A service's database, whichever provider holds it: connections, the two kinds of transaction the
/// stores need, and the migrations. Stores write one SQL text for both providers (parameters named
/// <c>@name</c>, <c>ON CONFLICT</c>, <c>RETURNING</c>) and ask <see cref="SqlDialect"/> for the few
/// words that differ.
/// </summary>
public abstract class ServiceDatabase
{
    /// <summary>The provider behind this database.</summary>
    public abstract StorageProvider Provider { get; }

    /// <summary>Opens a pooled connection, ready for statements.</summary>
    public abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a transaction that reads one consistent snapshot and writes nothing: verification reads
    /// the whole chain in one, so that writers meanwhile are not mistaken for tampering.
    /// </summary>
    public abstract Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken = default);

    /// <summary>Creates what is missing (the PostgreSQL database) and applies the migrations not yet applied.</summary>
    public abstract Task MigrateAsync(ServiceSchema schema, CancellationToken cancellationToken = default);
}
