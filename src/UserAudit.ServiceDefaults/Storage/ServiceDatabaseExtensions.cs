using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace UserAudit.ServiceDefaults.Storage;

/// <summary>
/// The one way a service gets its database: the <c>Storage</c> options bound and checked at start,
/// a <see cref="ServiceDatabase"/> singleton of the configured provider, and its migrations applied
/// before anything serves.
/// </summary>
public static class ServiceDatabaseExtensions
{
    /// <summary>Connection string name of the PostgreSQL server (the AppHost's <c>postgres</c> resource).</summary>
    public const string PostgresConnectionName = "postgres";

    /// <summary>
    /// Registers the service's database on the provider <c>Storage:Provider</c> names. On PostgreSQL
    /// it uses the Aspire.Npgsql client integration (pooling, health check, traces and metrics) on
    /// the server of <c>ConnectionStrings:postgres</c>, with the database set to <see cref="ServiceSchema.Name"/>.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="schema">The service's database name and migrations.</param>
    /// <exception cref="InvalidOperationException">PostgreSQL is chosen but <c>ConnectionStrings:postgres</c> is not set.</exception>
    public static IHostApplicationBuilder AddServiceDatabase(this IHostApplicationBuilder builder, ServiceSchema schema)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(schema);
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateWith(new StorageOptionsValidator()).ValidateOnStart();

        // The provider decides which services exist, so it is read while the host is built, from the
        // same section and class the options are bound from.
        var provider = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>()?.Provider ?? StorageProvider.Sqlite;
        if (provider == StorageProvider.Postgres)
        {
            var server = builder.Configuration.GetConnectionString(PostgresConnectionName)
                ?? throw new InvalidOperationException(
                    $"Storage:Provider is postgres but ConnectionStrings:{PostgresConnectionName} is not set: name the PostgreSQL server there.");
            var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = schema.Name, MaxAutoPrepare = 64, AutoPrepareMinUsages = 2 }.ConnectionString;
            builder.AddNpgsqlDataSource(PostgresConnectionName, settings => settings.ConnectionString = connectionString);
            builder.Services.AddSingleton<ServiceDatabase>(sp => new PostgresDatabase(sp.GetRequiredService<NpgsqlDataSource>(), connectionString));
        }
        else
        {
            builder.Services.AddSingleton<ServiceDatabase>(sp =>
                new SqliteDatabase(sp.GetRequiredService<IOptions<StorageOptions>>().Value, schema.Name + ".db"));
        }

        // Hosted services start in registration order: registered here, before the services that
        // use the database, migrations finish before any of them runs or a request is served.
        builder.Services.AddHostedService(sp => new Migrator(sp.GetRequiredService<ServiceDatabase>(), schema));
        return builder;
    }

    private sealed class Migrator(ServiceDatabase database, ServiceSchema schema) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => database.MigrateAsync(schema, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
