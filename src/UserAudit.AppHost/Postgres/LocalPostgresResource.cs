namespace UserAudit.AppHost.Postgres;

/// <summary>A PostgreSQL server run from this machine's binaries, as the unprivileged <c>postgres</c> user when the AppHost is root.</summary>
/// <param name="name">Resource name; also the connection string name.</param>
/// <param name="command">The program started: <c>runuser</c> as root, else <c>/bin/sh</c>.</param>
/// <param name="dataDirectory">The cluster's data directory.</param>
/// <param name="password">The <c>postgres</c> role's password, set when the cluster is created.</param>
public sealed class LocalPostgresResource(string name, string command, string dataDirectory, ParameterResource password)
    : ExecutableResource(name, command, dataDirectory), IResourceWithConnectionString
{
    /// <summary>Name of the server's endpoint.</summary>
    public const string EndpointName = "tcp";

    /// <summary>The superuser the services connect as.</summary>
    public const string UserName = "postgres";

    /// <summary>The cluster's data directory.</summary>
    public string DataDirectory { get; } = dataDirectory;

    /// <summary>The <c>postgres</c> role's password.</summary>
    public ParameterResource Password { get; } = password;

    /// <summary>The server's endpoint.</summary>
    public EndpointReference PrimaryEndpoint => field ??= new(this, EndpointName);

    /// <summary>
    /// Npgsql connection string of the server (no database: each service names its own). The host is
    /// the one address the server listens on, not <c>localhost</c>, which may resolve to ::1 first.
    /// </summary>
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host=127.0.0.1;Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={Password}");
}
