using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace WolverinePeer.Storage;

/// <summary>Applies UserService's per-connection settings to every connection EF Core opens (EF Core's documented hook).</summary>
internal sealed class PragmaInterceptor : DbConnectionInterceptor
{
    /// <inheritdoc />
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) =>
        UserDatabase.ApplyPragmas(connection);

    /// <inheritdoc />
    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default) =>
        UserDatabase.ApplyPragmasAsync(connection, cancellationToken);
}
