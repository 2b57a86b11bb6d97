using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
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
        app.MapGet(healthPath, async (CachedHealthReport cache, HealthCheckService checks) => Status(await cache.CurrentAsync(checks))).ExcludeFromDescription();
        app.MapHealthChecks(alivePath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(liveTag) });
        if (app.Environment.IsDevelopment())
        {
            app.MapGet(healthPath + "/detail", async (CachedHealthReport cache, HealthCheckService checks) =>
            {
                var report = await cache.CurrentAsync(checks);
                return Results.Json(new
                {
                    status = report.Status.ToString(),
                    checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString(), description = e.Value.Description }),
                }, statusCode: StatusCode(report.Status));
            }).ExcludeFromDescription();
        }
    }

    // The same answers as the health-check middleware: 200 for Healthy and Degraded, 503 otherwise.
    private static IResult Status(HealthReport report) =>
        Results.Text(report.Status.ToString(), "text/plain", statusCode: StatusCode(report.Status));

    private static int StatusCode(HealthStatus status) =>
        status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
}
