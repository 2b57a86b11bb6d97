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
public class PostgresUserAuditApp : IAsyncLifetime
{
    /// <summary>UserService replicas of the scaled-out application.</summary>
    public const int UserServiceReplicas = 2;

    /// <summary>AuditService replicas of the scaled-out application.</summary>
    public const int AuditServiceReplicas = 3;

    private readonly int _userServiceReplicas;
    private readonly int _auditServiceReplicas;

    /// <summary>The scaled-out application: <see cref="UserServiceReplicas"/> and <see cref="AuditServiceReplicas"/>.</summary>
    public PostgresUserAuditApp()
        : this(UserServiceReplicas, AuditServiceReplicas)
    {
    }

    /// <summary>The application with other replica counts.</summary>
    protected PostgresUserAuditApp(int userServiceReplicas, int auditServiceReplicas) =>
        (_userServiceReplicas, _auditServiceReplicas) = (userServiceReplicas, auditServiceReplicas);

    /// <summary>The application.</summary>
    public UserAuditApp App { get; } = new();

    /// <summary>The <c>postgres</c> role's password, given as the AppHost's <c>postgres-password</c> parameter.</summary>
    public string Password { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        App.Arguments.Add("--Storage:Provider=postgres");
        App.Arguments.Add("--Postgres:Mode=local");
        App.Arguments.Add($"--Postgres:Port={UserAudit.LoadTest.Benchmarks.LoopbackPort.Free()}");
        App.Arguments.Add($"--Parameters:postgres-password={Password}");
        App.Arguments.Add($"--UserService:Replicas={_userServiceReplicas}");
        App.Arguments.Add($"--AuditService:Replicas={_auditServiceReplicas}");
        // A live stream then learns of the other replicas' events only from their notifications.
        App.Arguments.Add("--AuditService:Stream:RecheckInterval=00:10:00");
        await App.InitializeAsync();
        // The fixture waited for one replica of each; the tests need all of them serving.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await Infrastructure.ResourceProcess.HealthyReplicasAsync(App, "user-service", _userServiceReplicas, timeout.Token);
        await Infrastructure.ResourceProcess.HealthyReplicasAsync(App, "audit-service", _auditServiceReplicas, timeout.Token);
    }

    /// <summary>The server's connection string with <paramref name="database"/> set.</summary>
    public async Task<string> ConnectionStringAsync(string database, CancellationToken cancellationToken)
    {
        var server = await App.App.GetConnectionStringAsync("postgres", cancellationToken) ?? throw new InvalidOperationException("No postgres connection string.");
        return new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = database, Pooling = false }.ConnectionString;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return App.DisposeAsync();
    }
}
