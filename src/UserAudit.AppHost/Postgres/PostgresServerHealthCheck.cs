using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace UserAudit.AppHost.Postgres;

/// <summary>Healthy when the server accepts a session and answers <c>SELECT 1</c> (local and external modes; the container has its own).</summary>
/// <param name="connectionString">Reads the server's connection string when it is known.</param>
public sealed class PostgresServerHealthCheck(Func<CancellationToken, ValueTask<string?>> connectionString) : IHealthCheck
{
    /// <inheritdoc/>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(await connectionString(cancellationToken)) { Pooling = false, Timeout = 5 };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ArgumentException)
        {
            return HealthCheckResult.Unhealthy(e.Message);
        }
    }
}
