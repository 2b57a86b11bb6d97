using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace UserAudit.ServiceDefaults.Storage;

/// <summary>
/// The one way a service gets its embedded database: the <c>Storage</c> options bound and checked
/// at start, a <see cref="SqliteDatabase"/> singleton, and its migrations applied before anything serves.
/// </summary>
public static class SqliteDatabaseExtensions
{
    /// <summary>Registers the service's database file and its migrations.</summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="fileName">The database file, inside <see cref="StorageOptions.DataDirectory"/>.</param>
    /// <param name="migrations">The service's migrations, in order (see <see cref="SqliteDatabase.MigrateAsync"/>).</param>
    public static IHostApplicationBuilder AddSqliteDatabase(this IHostApplicationBuilder builder, string fileName, IReadOnlyList<string> migrations)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        ArgumentNullException.ThrowIfNull(migrations);
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp => new SqliteDatabase(sp.GetRequiredService<IOptions<StorageOptions>>().Value, fileName));
        // Hosted services start in registration order: registered here, before the services that
        // use the database, migrations finish before any of them runs or a request is served.
        builder.Services.AddHostedService(sp => new SqliteMigrator(sp.GetRequiredService<SqliteDatabase>(), migrations));
        return builder;
    }

    private sealed class SqliteMigrator(SqliteDatabase database, IReadOnlyList<string> migrations) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => database.MigrateAsync(migrations, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
