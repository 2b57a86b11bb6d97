using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UserAudit.LoadTest.Load;
using UserAudit.ServiceDefaults.Storage;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>
/// The rename baseline: an HTTP endpoint shaped like UserService's <c>PATCH /v1/users/{id}</c> that
/// performs the same row update on the same database file with the same connection settings, in a
/// transaction, and nothing else: no outbox row, no event, no relay. It lives here, not in the service.
/// </summary>
public sealed class RowOnlyBaseline : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RowOnlyBaseline(WebApplication app, Uri address) => (_app, Address) = (app, address);

    /// <summary>Where the endpoint listens.</summary>
    public Uri Address { get; }

    /// <summary>Starts the endpoint on a free loopback port over UserService's database file.</summary>
    public static async Task<RowOnlyBaseline> StartAsync(string databaseFile, CancellationToken cancellationToken)
    {
        if (!File.Exists(databaseFile))
        {
            throw new UsageException($"--user-db: no UserService database at '{databaseFile}'. Run the system first (dotnet run --project src/UserAudit.AppHost) or name the file.");
        }

        var database = new SqliteDatabase(new StorageOptions { DataDirectory = Path.GetDirectoryName(Path.GetFullPath(databaseFile))! }, Path.GetFileName(databaseFile));
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPatch("/v1/users/{id}", (string id, HttpRequest request, CancellationToken ct) => RenameAsync(database, id, request, ct));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RowOnlyBaseline(app, new Uri(address));
    }

    private static async Task<IResult> RenameAsync(SqliteDatabase database, string id, HttpRequest request, CancellationToken cancellationToken)
    {
        UserChange? change;
        try
        {
            change = await JsonSerializer.DeserializeAsync(request.Body, LoadJsonContext.Default.UserChange, cancellationToken);
        }
        catch (JsonException)
        {
            return Results.Problem(statusCode: 400, title: "Invalid JSON");
        }

        var name = change?.Name?.Trim();
        if (name is null || name.Length is < 1 or > 100)
        {
            return Results.Problem(statusCode: 400, title: "Invalid name");
        }

        // The statements of UserStore.UpdateAsync, minus the outbox insert.
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var select = connection.CreateCommand();
        select.Transaction = transaction;
        select.CommandText = "SELECT id, name, password_hash, version, created_at, updated_at FROM users WHERE id = $id";
        select.Parameters.AddWithValue("$id", id);
        string hash, createdAt;
        long version;
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return Results.Problem(statusCode: 404, title: "User not found");
            }

            (hash, version, createdAt) = (reader.GetString(2), reader.GetInt64(3) + 1, reader.GetString(4));
        }

        var updatedAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        await using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = "UPDATE users SET name = $name, password_hash = $hash, version = $version, updated_at = $updated WHERE id = $id";
        update.Parameters.AddWithValue("$id", id);
        update.Parameters.AddWithValue("$name", name);
        update.Parameters.AddWithValue("$hash", hash);
        update.Parameters.AddWithValue("$version", version);
        update.Parameters.AddWithValue("$updated", updatedAt);
        await update.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        request.HttpContext.Response.Headers.ETag = string.Create(CultureInfo.InvariantCulture, $"\"{version}\"");
        return Results.Json(new BaselineUser(id, name, version, DateTimeOffset.Parse(createdAt, CultureInfo.InvariantCulture), DateTimeOffset.Parse(updatedAt, CultureInfo.InvariantCulture)),
            LoadJsonContext.Default.BaselineUser);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The baseline's answer: UserService's user representation.</summary>
/// <param name="Id">User id.</param>
/// <param name="Name">New name.</param>
/// <param name="Version">New version.</param>
/// <param name="CreatedAt">Creation time.</param>
/// <param name="UpdatedAt">This update's time.</param>
public sealed record BaselineUser(string Id, string Name, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
