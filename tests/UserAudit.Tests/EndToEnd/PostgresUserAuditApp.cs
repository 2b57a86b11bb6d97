using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Aspire.Hosting.Testing;
using Xunit;

namespace UserAudit.Tests.EndToEnd;

/// <summary>
/// The whole application on PostgreSQL, shared by the tests of one class: <c>Storage:Provider=postgres</c>
/// with the AppHost's local mode (this machine's server binaries, a cluster under the test's data
/// root, on a free port), scaled out as a team outgrowing one machine would run it: 2 UserService and
/// 3 AuditService replicas, each its own process sharing only the PostgreSQL server and Kafka. Needs
/// Debian's <c>postgresql</c> package, which <c>.ci/run</c> installs.
/// </summary>
public sealed class PostgresUserAuditApp : IAsyncLifetime
{
    /// <summary>The application.</summary>
    public UserAuditApp App { get; } = new();

    /// <summary>UserService replicas.</summary>
    public const int UserServiceReplicas = 2;

    /// <summary>AuditService replicas.</summary>
    public const int AuditServiceReplicas = 3;

    /// <summary>The <c>postgres</c> role's password, given as the AppHost's <c>postgres-password</c> parameter.</summary>
    public string Password { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        App.Arguments.Add("--Storage:Provider=postgres");
        App.Arguments.Add("--Postgres:Mode=local");
        App.Arguments.Add($"--Postgres:Port={FreePort()}");
        App.Arguments.Add($"--Parameters:postgres-password={Password}");
        App.Arguments.Add($"--UserService:Replicas={UserServiceReplicas}");
        App.Arguments.Add($"--AuditService:Replicas={AuditServiceReplicas}");
        await App.InitializeAsync();
        // The fixture waited for one replica of each; the tests need all of them serving.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await Infrastructure.ResourceProcess.HealthyReplicasAsync(App, "user-service", UserServiceReplicas, timeout.Token);
        await Infrastructure.ResourceProcess.HealthyReplicasAsync(App, "audit-service", AuditServiceReplicas, timeout.Token);
    }

    /// <summary>The server's connection string with <paramref name="database"/> set.</summary>
    public async Task<string> ConnectionStringAsync(string database, CancellationToken cancellationToken)
    {
        var server = await App.App.GetConnectionStringAsync("postgres", cancellationToken) ?? throw new InvalidOperationException("No postgres connection string.");
        return new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = database, Pooling = false }.ConnectionString;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => App.DisposeAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
