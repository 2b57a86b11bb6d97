using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using AuditService.Store;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AuditService.Api;

/// <summary>A stored event as the API shows it.</summary>
public sealed record AuditEventResponse(
    string Source, string Id, string Type, string SpecVersion, string? Subject, DateTimeOffset? Time,
    string? DataContentType, string? DataSchema, IReadOnlyDictionary<string, string> Extensions,
    JsonElement? Data, string? DataBase64, KafkaCoordinates? Kafka, DateTimeOffset ReceivedAt)
{
    /// <summary>Projects a stored record; JSON data is returned as JSON, other data as base64.</summary>
    public static AuditEventResponse From(AuditRecord r) => new(
        r.Source, r.Id, r.Type, r.SpecVersion, r.Subject, r.Time, r.DataContentType, r.DataSchema, r.Extensions,
        r.DataJson is null ? null : JsonSerializer.Deserialize(r.DataJson, AuditJsonContext.Default.JsonElement),
        r.DataBytes is null ? null : Convert.ToBase64String(r.DataBytes),
        r.Kafka, r.ReceivedAt);
}

/// <summary>A page of events, newest first, and the cursor of the next page.</summary>
public sealed record AuditEventPage(IReadOnlyList<AuditEventResponse> Items, string? NextCursor);

/// <summary>Query parameters of <c>GET /v1/audit-events</c>.</summary>
public sealed record AuditEventFilter(string? Type, string? Source, string? Subject, string? From, string? To, string? Cursor, int? Limit);

/// <summary><c>/v1/audit-events</c>: stored events, newest first, filtered and paged.</summary>
public static class AuditEventsApi
{
    /// <summary>Largest page.</summary>
    public const int MaxPageSize = 500;

    /// <summary>Maps the endpoints.</summary>
    public static RouteGroupBuilder MapAuditEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/audit-events").WithTags("Audit events");
        group.MapGet("/", ListAsync).WithName("ListAuditEvents");
        group.MapGet("/by-id", GetAsync).WithName("GetAuditEvent");
        return group;
    }

    /// <summary>Turns query parameters into a store query, or a problem naming the bad parameter.</summary>
    public static (AuditQuery? Query, ProblemHttpResult? Problem) Parse(AuditEventFilter filter, int defaultLimit, int maxLimit)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var limit = filter.Limit ?? defaultLimit;
        if (limit < 1 || limit > maxLimit)
        {
            return (null, Problem("limit", $"limit must be between 1 and {maxLimit}."));
        }

        DateTimeOffset? from = null, to = null;
        if (filter.From is not null)
        {
            if (!DateTimeOffset.TryParse(filter.From, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var f))
            {
                return (null, Problem("from", "from must be an RFC 3339 timestamp such as 2026-01-31T12:00:00Z."));
            }

            from = f;
        }

        if (filter.To is not null)
        {
            if (!DateTimeOffset.TryParse(filter.To, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t))
            {
                return (null, Problem("to", "to must be an RFC 3339 timestamp such as 2026-01-31T12:00:00Z."));
            }

            to = t;
        }

        long? before = null;
        if (filter.Cursor is not null)
        {
            if (!long.TryParse(filter.Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var c) || c < 1)
            {
                return (null, Problem("cursor", "cursor must be the nextCursor of a previous page."));
            }

            before = c;
        }

        return (new AuditQuery(Empty(filter.Type), Empty(filter.Source), Empty(filter.Subject), from, to, before, limit), null);
    }

    private static async Task<Results<Ok<AuditEventPage>, ProblemHttpResult>> ListAsync([AsParameters] AuditEventFilter filter, AuditEventStore store, CancellationToken cancellationToken)
    {
        var (query, problem) = Parse(filter, 50, MaxPageSize);
        if (problem is not null)
        {
            return problem;
        }

        var events = await store.QueryAsync(query! with { Limit = query!.Limit + 1 }, cancellationToken);
        var page = events.Take(query.Limit).ToList();
        var next = events.Count > query.Limit ? page[^1].Sequence.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new AuditEventPage([.. page.Select(e => AuditEventResponse.From(e.Record))], next));
    }

    private static async Task<Results<Ok<AuditEventResponse>, NotFound<ProblemDetails>, ProblemHttpResult>> GetAsync(string? source, string? id, AuditEventStore store, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(source) || string.IsNullOrEmpty(id))
        {
            return Problem("source", "source and id are both required: an event is identified by the pair.");
        }

        var stored = await store.FindAsync(source, id, cancellationToken);
        return stored is null
            ? TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "Event not found", Detail = "No event with that source and id is stored." })
            : TypedResults.Ok(AuditEventResponse.From(stored.Record));
    }

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static ProblemHttpResult Problem(string parameter, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: $"Invalid parameter '{parameter}'");
}

/// <summary>Source-generated JSON for AuditService's own types.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(AuditEventPage))]
[JsonSerializable(typeof(AuditEventResponse))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
