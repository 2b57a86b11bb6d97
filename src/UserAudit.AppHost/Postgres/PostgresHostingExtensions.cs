using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using UserAudit.AppHost.Hosting;
using UserAudit.AppHost.Kafka;

namespace UserAudit.AppHost.Postgres;

/// <summary>
/// Adds PostgreSQL to an Aspire application in one of three shapes (container, local, external) that
/// all expose the same connection string: the server, without a database (each service names its own).
/// </summary>
public static partial class PostgresHostingExtensions
{
    /// <summary>Log category of the AppHost's PostgreSQL messages.</summary>
    public const string LogCategory = "UserAudit.AppHost.Postgres";

    /// <summary>The secret parameter holding the <c>postgres</c> role's password (container and local modes).</summary>
    public const string PasswordParameter = "postgres-password";

    // Local mode's server runs under a shell that turns the orchestrator's stop signal into
    // PostgreSQL's fast shutdown (SIGINT: roll back open transactions, disconnect, checkpoint),
    // instead of SIGTERM's smart shutdown, which waits for every pooled connection to close.
    private const string ForwardStopAsFastShutdown =
        "trap 'kill -INT $pid' INT TERM; \"$0\" \"$@\" & pid=$!; while kill -0 $pid 2>/dev/null; do wait $pid; status=$?; done; exit $status";

    /// <summary>
    /// Adds the <paramref name="name"/> resource in the mode configuration asks for (<c>Postgres:Mode</c>:
    /// auto, container, local or external) and logs which mode was chosen and why.
    /// </summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="name">Resource name; also the connection string name.</param>
    /// <param name="dataRoot">Local mode keeps its cluster in <c>postgres/</c> under this folder.</param>
    public static IResourceBuilder<IResourceWithConnectionString> AddPostgresForMode(this IDistributedApplicationBuilder builder, string name, string dataRoot)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var options = PostgresHostingOptions.From(configuration);
        var decision = PostgresModeSelector.Select(
            options.Mode,
            configuration[$"ConnectionStrings:{name}"],
            builder.ExecutionContext.IsPublishMode,
            () => ContainerRuntimeProbe.FromConfiguration(configuration, options.ProbeTimeout).Probe());

        IResourceBuilder<IResourceWithConnectionString> postgres;
        if (decision.Mode == PostgresMode.External)
        {
            postgres = builder.AddConnectionString(name).WithServerHealthCheck();
        }
        else
        {
            var password = builder.AddParameter(PasswordParameter, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
            postgres = decision.Mode == PostgresMode.Container
                ? ContainerFromOptions(builder, name, password, options)
                : builder.AddLocalPostgres(name, password, options.Port, PostgresServerBinaries.Find(options.BinDirectory), Path.Combine(dataRoot, "postgres"));
        }

        postgres.Announce(builder, LogCategory, logger => LogModeChosen(logger, decision.Mode, decision.Reason));
        return postgres;
    }

    /// <summary>
    /// Runs this machine's PostgreSQL server (<paramref name="binDirectory"/>) on 127.0.0.1:<paramref name="port"/>,
    /// its cluster created in <paramref name="dataDirectory"/> before the first start. As root, the
    /// server runs as the unprivileged <c>postgres</c> user. Never published: it is this machine's binaries.
    /// </summary>
    /// <exception cref="InvalidOperationException">The AppHost is publishing.</exception>
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(this IDistributedApplicationBuilder builder, string name,
        IResourceBuilder<ParameterResource> password, int port, string binDirectory, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(password);
        if (builder.ExecutionContext.IsPublishMode)
        {
            throw new InvalidOperationException($"The local PostgreSQL server '{name}' runs this machine's binaries and is never published; publish the container or an external server instead.");
        }

        var portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // TCP on loopback only, and no Unix socket: nothing here uses one, and its path (under the data
        // folder) must fit in 107 bytes, which a deep data root would exceed and stop the server.
        var (command, arguments) = LocalPostgresCluster.AsServerUser("/bin/sh",
            ["-c", ForwardStopAsFastShutdown, Path.Combine(binDirectory, "postgres"),
             "-D", dataDirectory, "-p", portText, "-c", "unix_socket_directories=", "-c", "listen_addresses=127.0.0.1"]);
        var resource = new LocalPostgresResource(name, command, dataDirectory, password.Resource);
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource, async (e, ct) =>
        {
            var logger = e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
            var secret = await password.Resource.GetValueAsync(ct) ?? throw new InvalidOperationException($"Parameter {PasswordParameter} has no value.");
            await LocalPostgresCluster.EnsureCreatedAsync(binDirectory, dataDirectory, secret, logger, ct);
        });
        return builder.AddResource(resource)
            .WithArgs([.. arguments])
            .WithEndpoint(port: port, targetPort: port, name: LocalPostgresResource.EndpointName, scheme: "tcp", isProxied: false)
            .WithServerHealthCheck();
    }

    /// <summary>
    /// Gives <paramref name="builder"/> the <paramref name="postgres"/> connection string and
    /// <c>Storage:Provider=postgres</c>, and starts it only once the server is healthy.
    /// </summary>
    public static IResourceBuilder<T> WithPostgresStorage<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithConnectionString> postgres)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithEnvironment("Storage__Provider", "postgres").WithReference(postgres).WaitFor(postgres);
    }

    private static IResourceBuilder<PostgresServerResource> ContainerFromOptions(IDistributedApplicationBuilder builder, string name,
        IResourceBuilder<ParameterResource> password, PostgresHostingOptions options)
    {
        var postgres = builder.AddPostgres(name, password: password, port: options.Port);
        if (options.DataVolume)
        {
            postgres.WithDataVolume();
        }

        if (options.PgAdmin)
        {
            postgres.WithPgAdmin();
        }

        return postgres;
    }

    private static IResourceBuilder<T> WithServerHealthCheck<T>(this IResourceBuilder<T> builder)
        where T : IResourceWithConnectionString
    {
        var resource = builder.Resource;
        var key = $"{resource.Name}-server";
        builder.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            key, _ => new PostgresServerHealthCheck(ct => resource.ConnectionStringExpression.GetValueAsync(ct)), HealthStatus.Unhealthy, tags: null));
        return builder.WithHealthCheck(key);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL mode {Mode}: {Reason}")]
    private static partial void LogModeChosen(ILogger logger, PostgresMode mode, string reason);
}
