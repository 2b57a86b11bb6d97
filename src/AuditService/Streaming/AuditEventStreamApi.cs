using System.ComponentModel;
using System.Globalization;
using System.Threading.RateLimiting;
using AuditService.Api;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AuditService.Streaming;

/// <summary>
/// <c>GET /v1/audit-events/stream</c>: stored events as server-sent events, live, with the filters of
/// <c>GET /v1/audit-events</c> and its read key. Each event's <c>id</c> is its store position, so a
/// client that reconnects with <c>Last-Event-ID</c> gets every matching event stored since, then the
/// live ones; without it, only events stored from now on.
/// </summary>
public static class AuditEventStreamApi
{
    /// <summary>The rate-limiting policy bounding open streams.</summary>
    public const string ConcurrencyPolicy = "audit-stream";

    /// <summary>Maps the endpoint.</summary>
    public static RouteHandlerBuilder MapAuditEventStreamApi(this IEndpointRouteBuilder app) =>
        app.MapReadGroup("Audit events").MapGet("/stream", Stream).WithName("StreamAuditEvents")
            .WithSummary("Stored events as server-sent events, live, resuming after Last-Event-ID")
            .RequireRateLimiting(ConcurrencyPolicy).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    /// <summary>The feed, its wake-up signal (and on PostgreSQL its listener for other replicas' commits), its options and the bound on open streams.</summary>
    public static IServiceCollection AddAuditEventStream(this IServiceCollection services)
    {
        services.AddOptions<StreamOptions>().BindConfiguration(StreamOptions.SectionName).ValidateWith(new StreamOptionsValidator())
            .Validate(o => o.RecheckInterval > TimeSpan.Zero, "Stream:RecheckInterval must be positive.")
            .ValidateOnStart();
        services.AddSingleton<AuditEventSignal>();
        services.AddSingleton<AuditEventFeed>();
        services.AddHostedService<StoredEventListener>();
        // One limit for every reader: each open stream holds a connection and wakes on every commit.
        services.AddRateLimiter(limiter => limiter.AddPolicy(ConcurrencyPolicy, new SharedConcurrencyLimit(ConcurrencyPolicy,
            provider => new ConcurrencyLimiterOptions { PermitLimit = provider.GetRequiredService<IOptions<StreamOptions>>().Value.MaxStreams, QueueLimit = 0 },
            5, "Too many streams", "The most live streams allowed are open; retry after the time in Retry-After.")));
        return services;
    }

    private static Results<ServerSentEventsResult<string>, ProblemHttpResult> Stream([AsParameters] AuditEventCriteria criteria,
        [FromHeader(Name = "Last-Event-ID")][Description("The id of the last event received: the stream resumes after it.")] string? lastEventId, AuditEventFeed feed, HttpResponse response)
    {
        if (AuditEventsApi.ParseFilters(criteria, out var query) is { } problem)
        {
            return problem;
        }

        long? after = null;
        if (!string.IsNullOrEmpty(lastEventId))
        {
            if (!long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid header 'Last-Event-ID'",
                    detail: "Last-Event-ID must be the id of an event this stream sent: a whole number.");
            }

            after = position;
        }

        // The result sets the headers, then enumerates with the request's abort token: the stream ends with
        // the connection. Flushing once the feed listens sends the headers before the first event.
        return TypedResults.ServerSentEvents(feed.ReadAsync(query, after, response.Body.FlushAsync, CancellationToken.None));
    }
}
