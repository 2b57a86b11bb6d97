using Npgsql;
using UserAudit.LoadTest.Benchmarks;
using UserAudit.ServiceDefaults.Storage;

namespace UserAudit.Tests.Infrastructure;

/// <summary>
/// One scratch PostgreSQL server for the tests that run a store on both providers: this machine's
/// server binaries in a temporary folder (<see cref="ScratchPostgres"/>), started on first use, so a
/// run that needs none starts none, and removed when the assembly's tests end. Each caller gets a
/// database of its own. Needs Debian's <c>postgresql</c> package, which <c>.ci/run</c> installs.
/// </summary>
public sealed class TestPostgres : IAsyncDisposable
{
    private readonly Lazy<Task<ScratchPostgres>> _server = new(() => ScratchPostgres.StartAsync(CancellationToken.None));

    /// <summary>A database of its own on the server, created by its first migration.</summary>
    /// <param name="prefix">The start of the database's name, to tell them apart in the server's log.</param>
    /// <param name="cancellationToken">Cancels the wait for the server.</param>
    /// <returns>The database as the services open it, and its data source, which the caller disposes.</returns>
    public async Task<(PostgresDatabase Database, NpgsqlDataSource DataSource)> CreateDatabaseAsync(string prefix, CancellationToken cancellationToken)
    {
        var server = await _server.Value.WaitAsync(cancellationToken);
        var connectionString = server.ConnectionStringOf($"{prefix}_{Guid.NewGuid():N}");
        var dataSource = NpgsqlDataSource.Create(connectionString);
        return (new PostgresDatabase(dataSource, connectionString), dataSource);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server.IsValueCreated && _server.Value.IsCompletedSuccessfully)
        {
            await (await _server.Value).DisposeAsync();
        }
    }
}
