using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace UserAudit.ServiceDefaults.Health;

/// <summary>
/// <c>/health</c> from the cached report (status only), <c>/alive</c> from the liveness checks, and in
/// Development <c>/health/detail</c> (each check's status and description). Detail never reaches the
/// public port in production: there it goes to the log when a check changes status.
/// </summary>
internal static class HealthEndpoints
{
    public static void Map(WebApplication app, string healthPath, string alivePath, string liveTag)
    {
        // RequestDelegates, not lambdas with parameters: nothing to bind, so nothing for reflection.
        app.MapGet(healthPath, async context => await Status(await CurrentAsync(context)).ExecuteAsync(context)).ExcludeFromDescription();
        app.MapHealthChecks(alivePath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(liveTag) });
        if (app.Environment.IsDevelopment())
        {
            app.MapGet(healthPath + "/detail", async context =>
            {
                var report = await CurrentAsync(context);
                var detail = new HealthDetail(
                    report.Status.ToString(),
                    [.. report.Entries.Select(e => new HealthCheckDetail(e.Key, e.Value.Status.ToString(), e.Value.Description))]);
                await Results.Json(detail, HealthJsonContext.Default.HealthDetail, statusCode: StatusCode(report.Status)).ExecuteAsync(context);
            }).ExcludeFromDescription();
        }
    }

    private static Task<HealthReport> CurrentAsync(HttpContext context)
    {
        var services = context.RequestServices;
        return services.GetRequiredService<CachedHealthReport>().CurrentAsync(services.GetRequiredService<HealthCheckService>());
    }

    // The same answers as the health-check middleware: 200 for Healthy and Degraded, 503 otherwise.
    private static IResult Status(HealthReport report) =>
        Results.Text(report.Status.ToString(), "text/plain", statusCode: StatusCode(report.Status));

    private static int StatusCode(HealthStatus status) =>
        status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
}

/// <summary>The Development-only <c>/health/detail</c> answer.</summary>
internal sealed record HealthDetail(string Status, IReadOnlyList<HealthCheckDetail> Checks);

/// <summary>One check in <see cref="HealthDetail"/>.</summary>
internal sealed record HealthCheckDetail(string Name, string Status, string? Description);

/// <summary>The health detail's JSON, written by code generated at compile time (camelCase, as before).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HealthDetail))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
