using System.Data.Common;
using Aspire.Hosting.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;
using UserAudit.Tests.EndToEnd;

namespace UserAudit.Tests.Infrastructure;

/// <summary>
/// A service's own database, opened from outside the way an operator would look at it: UserService's
/// <c>users</c> and AuditService's <c>audit</c>, on whichever provider the application runs.
/// </summary>
public static class ServiceDatabases
{
    /// <summary>UserService's database.</summary>
    public const string Users = "users";

    /// <summary>AuditService's database.</summary>
    public const string Audit = "audit";

    /// <summary>
    /// Opens <paramref name="database"/> for reading: a read-only, unpooled SQLite connection to the
    /// service's file under the data root (it must not hold the file after the test), or an unpooled
    /// connection to the database of that name on the application's PostgreSQL server.
    /// </summary>
    public static async Task<DbConnection> OpenAsync(UserAuditApp app, string database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        DbConnection connection;
        if (app.Arguments.Contains("--Storage:Provider=postgres"))
        {
            var server = await app.App.GetConnectionStringAsync("postgres", cancellationToken) ?? throw new InvalidOperationException("No postgres connection string.");
            connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = database, Pooling = false }.ConnectionString);
        }
        else
        {
            var folder = database switch
            {
                Users => "user-service",
                Audit => "audit-service",
                _ => throw new ArgumentOutOfRangeException(nameof(database), database, "Not a service's database."),
            };
            connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(app.DataRoot, folder, database + ".db"),
                Mode = SqliteOpenMode.ReadOnly,
                Pooling = false,
                DefaultTimeout = 5,
            }.ToString());
        }

        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
