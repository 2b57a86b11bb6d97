using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using UserAudit.ServiceDefaults.Health;
using UserAudit.ServiceDefaults.Http;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every UserAudit service gets: OpenTelemetry logs, metrics and traces (exported over OTLP
/// when the AppHost or the environment names an endpoint), health endpoints, service discovery
/// and resilient HTTP clients.
/// </summary>
public static class Extensions
{
    /// <summary>Liveness endpoint: the process answers.</summary>
    public const string AlivePath = "/alive";

    /// <summary>Readiness endpoint: every registered health check passes.</summary>
    public const string HealthPath = "/health";

    /// <summary>Tag of health checks that decide liveness.</summary>
    public const string LiveTag = "live";

    /// <summary>Adds the shared defaults to a service.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        // A request body Kestrel rejects mid-read is the client's 4xx, not a 500.
        builder.Services.AddExceptionHandler<RejectedRequestExceptionHandler>();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    /// <summary>Logs, metrics and traces through OpenTelemetry.</summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(UserAuditTelemetry.MeterNames))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(UserAuditTelemetry.ActivitySourceNames)
                .AddAspNetCoreInstrumentation(aspnet =>
                    // Health probes every few seconds would drown the real traces.
                    aspnet.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthPath)
                        && !context.Request.Path.StartsWithSegments(AlivePath))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// A liveness check that only says the process runs, and the publisher that runs every check
    /// in the background (at start, then every 10 s; section <c>HealthChecks:Publisher</c>) for
    /// <c>/health</c> to answer from.
    /// </summary>
    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        builder.Services.AddOptions<HealthCheckPublisherOptions>()
            .Configure(o => (o.Delay, o.Period) = (TimeSpan.Zero, TimeSpan.FromSeconds(10)))
            .BindConfiguration("HealthChecks:Publisher");
        builder.Services.AddSingleton<CachedHealthReport>();
        builder.Services.AddSingleton<IHealthCheckPublisher>(sp => sp.GetRequiredService<CachedHealthReport>());
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (the cached report of all checks) and <c>/alive</c> (liveness checks). Both
    /// answer with the status only, never the checks' details, so nothing internal leaks; in
    /// Development <c>/health/detail</c> lists the checks.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        HealthEndpoints.Map(app, HealthPath, AlivePath, LiveTag);
        return app;
    }
}
