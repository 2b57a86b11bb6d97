using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Scalar.AspNetCore;
using UserAudit.ServiceDefaults.Health;
using UserAudit.ServiceDefaults.Http;
using UserAudit.ServiceDefaults.Tracing;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every UserAudit service gets: OpenTelemetry logs, metrics and traces (exported over OTLP
/// when the AppHost or the environment names an endpoint), health endpoints, service discovery
/// and resilient HTTP clients; and the rules of its edge: loopback only in Development, a new trace
/// for every untrusted caller, <c>nosniff</c> on every answer.
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
        LoopbackBinding.Apply(builder);
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.AddServiceEdge();

        // One ProblemDetails shape for every error a service answers (with the request's traceId),
        // whoever writes it: handlers, authentication, rate limiters, status code pages, exception handlers.
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemTypes.Complete);
        // A request body Kestrel rejects mid-read is the client's 4xx, not a 500; a write the
        // database cannot take now (locked, disk full) is a 503 to retry, not a 500.
        builder.Services.AddExceptionHandler<RejectedRequestExceptionHandler>();
        builder.Services.AddExceptionHandler<StorageBusyExceptionHandler>();

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

        // OpenTelemetry's ASP.NET Core instrumentation extracts the caller's context itself unless the
        // default propagator is the plain W3C one; with it, ASP.NET Core's propagator decides alone
        // (see AddServiceEdge). Baggage from callers is not propagated.
        Sdk.SetDefaultTextMapPropagator(new TraceContextPropagator());

        // Logs go through OpenTelemetry only when there is somewhere to send them: without an
        // exporter its provider built a record, formatted message included, of every line for nothing.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Logging.AddOpenTelemetry(logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = true;
            });
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

    /// <summary>
    /// Maps the OpenAPI document (<c>/openapi/v1.json</c>) and, in Development, its interactive
    /// reference at <c>/scalar</c>. The reference needs nothing but the service: its script is the one
    /// bundled in Scalar.AspNetCore, and it asks no other host for anything (no fonts from Scalar's
    /// CDN, no telemetry, no AI agent, no developer toolbar, whose Share and Deploy send the document
    /// to Scalar's cloud), so it works offline and tells no one what the service is.
    /// </summary>
    public static WebApplication MapApiReference(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference(options => options.DisableDefaultFonts().DisableTelemetry().DisableAgent().HideDeveloperTools());
        }

        return app;
    }

    /// <summary>
    /// The edge of the service (<see cref="ServiceEdge"/>): unless <c>Tracing:TrustIncomingContext</c>
    /// is set, ASP.NET Core finds no parent in a request's headers, so each request starts its own trace.
    /// </summary>
    private static void AddServiceEdge(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TracingOptions>().BindConfiguration(TracingOptions.SectionName);
        builder.Services.AddSingleton<IStartupFilter, ServiceEdge>();
        var trust = builder.Configuration.GetSection(TracingOptions.SectionName).Get<TracingOptions>()?.TrustIncomingContext ?? false;
        if (!trust)
        {
            // Registered after the host's own, so ASP.NET Core's hosting resolves this one.
            builder.Services.AddSingleton<DistributedContextPropagator>(new EdgeContextPropagator());
        }
    }
}
