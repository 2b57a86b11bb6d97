using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using AuditService.Ingestion;
using AuditService.Integrity;
using AuditService.Store;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AuditService.Api;

/// <summary>
/// A stored event as the API shows it: the event, where and when it arrived, the ingest key that sent
/// it over HTTP (<c>ingestedBy</c>), and its position in the store's hash chain.
/// </summary>
public sealed record AuditEventResponse(
    string Source, string Id, string Type, string SpecVersion, string? Subject, DateTimeOffset? Time,
    string? DataContentType, string? DataSchema, IReadOnlyDictionary<string, string> Extensions,
    JsonElement? Data, string? DataBase64, KafkaCoordinates? Kafka, DateTimeOffset ReceivedAt, string? IngestedBy, long Position)
{
    /// <summary>Projects a stored event; JSON data is returned as JSON, other data as base64.</summary>
    public static AuditEventResponse From(StoredAuditEvent stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var r = stored.Record;
        return new(
            r.Source, r.Id, r.Type, r.SpecVersion, r.Subject, r.Time, r.DataContentType, r.DataSchema, r.Extensions,
            r.DataJson is null ? null : JsonSerializer.Deserialize(r.DataJson, AuditJsonContext.Default.JsonElement),
            r.DataBytes is null ? null : Convert.ToBase64String(r.DataBytes),
            r.Kafka, r.ReceivedAt, r.IngestedBy, stored.Sequence);
    }
}

/// <summary>A page of events, newest first, and the cursor of the next page.</summary>
public sealed record AuditEventPage(IReadOnlyList<AuditEventResponse> Items, string? NextCursor);

/// <summary>
/// The filters every read of stored events takes (list, export, counts and the stream), as query
/// parameters; each endpoint takes its own parameters beside them. The descriptions are what the
/// OpenAPI document shows.
/// </summary>
/// <remarks>A class with properties, not a positional record: the request delegate generated at
/// compile time writes <c>typeof(string?)</c> for a record's nullable constructor parameters, which does
/// not compile. One class taken as a parameter, not a base class: neither the generated request
/// delegates nor the reflection-based ones bind an <c>[AsParameters]</c> type's inherited properties.</remarks>
internal sealed class AuditEventCriteria
{
    [FromQuery(Name = "type")]
    [Description("Only events of this type.")]
    public string? Type { get; init; }

    [FromQuery(Name = "source")]
    [Description("Only events from this source.")]
    public string? Source { get; init; }

    [FromQuery(Name = "subject")]
    [Description("Only events about this subject: a user's history is subject=<user id>.")]
    public string? Subject { get; init; }

    [FromQuery(Name = "from")]
    [Description("Only events whose time is at or after this RFC 3339 timestamp.")]
    public string? From { get; init; }

    [FromQuery(Name = "to")]
    [Description("Only events whose time is before this RFC 3339 timestamp.")]
    public string? To { get; init; }

    [FromQuery(Name = "authtype")]
    [Description("Only events whose actor is of this kind (the authtype attribute, such as user or service_account).")]
    public string? AuthType { get; init; }

    [FromQuery(Name = "authid")]
    [Description("Only events caused by this principal (the authid attribute).")]
    public string? AuthId { get; init; }
}

/// <summary>
/// <c>/v1/audit-events</c>: stored events, newest stored first, filtered, paged, exported and
/// counted. Every endpoint requires a read key.
/// </summary>
public static partial class AuditEventsApi
{
    /// <summary>Largest page.</summary>
    public const int MaxPageSize = 500;

    /// <summary>Page size when the caller names none.</summary>
    public const int DefaultPageSize = 50;

    // Rows per store query while exporting: small enough to keep memory flat, large enough to be cheap.
    private const int ExportChunkSize = 500;
    private const int DefaultCountKeys = 1_000;
    private const int MaxCountKeys = 10_000;

    /// <summary>Maps the endpoints.</summary>
    public static RouteGroupBuilder MapAuditEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapReadGroup("Audit events");
        group.MapGet("/", ListAsync).WithName("ListAuditEvents").WithSummary("Stored events, newest stored first, filtered and paged")
            .ProducesProblem(StatusCodes.Status400BadRequest).WithReadLimit();
        group.MapGet("/by-id", GetAsync).WithName("GetAuditEvent").WithSummary("One stored event, by its source and id")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).WithReadLimit();
        group.MapGet("/export", Export).WithName("ExportAuditEvents").WithSummary("Every matching event, as a CloudEvents batch or as NDJSON")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/counts", CountAsync).WithName("CountAuditEvents").WithSummary("How many matching events there are, by type, hour or actor")
            .ProducesProblem(StatusCodes.Status400BadRequest).WithReadLimit();
        return group;
    }

    private static async Task<Results<Ok<AuditEventPage>, ProblemHttpResult>> ListAsync([AsParameters] AuditEventCriteria criteria,
        [FromQuery(Name = "cursor")][Description(PageRequest.CursorDescription)] string? cursor,
        [FromQuery(Name = "limit")][Description("Page size, 1 to 500; 50 by default. A page of large events holds fewer (Read:MaxPageBytes, at least one).")]
        string? limit, AuditEventStore store, IOptions<ReadOptions> options, CancellationToken cancellationToken)
    {
        if (ParseFilters(criteria, out var query) is { } problem)
        {
            return problem;
        }

        if (PageRequest.TryParse(cursor, limit, DefaultPageSize, MaxPageSize, out var request) is { } badPage)
        {
            return badPage;
        }

        var page = await store.QueryAsync(query with { Before = request.Cursor, Limit = request.Limit, MaxBytes = options.Value.MaxPageBytes }, cancellationToken);
        var next = page.More ? page.Items[^1].Sequence.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new AuditEventPage([.. page.Items.Select(e => AuditEventResponse.From(e))], next));
    }

    private static async Task<Results<Ok<AuditEventResponse>, ProblemHttpResult>> GetAsync(
        [Description("The event's source.")] string? source, [Description("The event's id.")] string? id, AuditEventStore store, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(source))
        {
            return Problem("source", "source is required: an event is identified by its source and id.");
        }

        if (string.IsNullOrEmpty(id))
        {
            return Problem("id", "id is required: an event is identified by its source and id.");
        }

        var stored = await store.FindAsync(source, id, cancellationToken);
        return stored is null
            // A ProblemHttpResult, not NotFound<ProblemDetails>: only it is served as application/problem+json.
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Event not found", detail: "No event with that source and id is stored.")
            : TypedResults.Ok(AuditEventResponse.From(stored));
    }

    private static Results<CloudEventExportResult, ProblemHttpResult> Export([AsParameters] AuditEventCriteria criteria,
        [FromQuery(Name = "format")][Description("batch or ndjson; when absent, the Accept header decides, batch by default.")] string? format,
        [FromHeader(Name = "Accept")] string? accept, AuditEventStore store, IOptions<ReadOptions> options, ExportSlots slots, HttpResponse response)
    {
        if (ParseFilters(criteria, out var query) is { } problem)
        {
            return problem;
        }

        ExportFormat chosen;
        switch (format?.ToUpperInvariant())
        {
            case null:
                chosen = PrefersNdjson(accept) ? ExportFormat.Ndjson : ExportFormat.Batch;
                break;
            case "BATCH":
                chosen = ExportFormat.Batch;
                break;
            case "NDJSON":
                chosen = ExportFormat.Ndjson;
                break;
            default:
                return Problem("format", "format must be 'batch' (application/cloudevents-batch+json) or 'ndjson' (application/x-ndjson).");
        }

        if (slots.TryTake() is not { } slot)
        {
            return ExportSlots.Busy(response);
        }

        // The enumeration runs when the result executes, page by page, as the response is written; the
        // result gives the slot back once it is written.
        return new CloudEventExportResult(store.ReadAllAsync(query with { Limit = ExportChunkSize, MaxBytes = options.Value.MaxPageBytes }, CancellationToken.None),
            chosen, slot);
    }

    private static async Task<Results<Ok<IReadOnlyList<AuditCount>>, ProblemHttpResult>> CountAsync([AsParameters] AuditEventCriteria criteria,
        [FromQuery(Name = "by")][Description("type (the default), hour (UTC hour of the event's time) or actor (authtype:authid, or authtype alone when it names nobody).")]
        string? by,
        [FromQuery(Name = "limit")][Description("The most keys to return, 1 to 10,000; 1,000 by default (narrow the filters or the time range for more).")]
        string? limit, AuditEventStore store, CancellationToken cancellationToken)
    {
        if (ParseFilters(criteria, out var query) is { } problem)
        {
            return problem;
        }

        if (PageRequest.TryParseLimit(limit, DefaultCountKeys, MaxCountKeys, out var keys) is { } badLimit)
        {
            return badLimit;
        }

        AuditCountDimension dimension;
        switch (by?.ToUpperInvariant())
        {
            case null or "TYPE":
                dimension = AuditCountDimension.Type;
                break;
            case "HOUR":
                dimension = AuditCountDimension.Hour;
                break;
            case "ACTOR":
                dimension = AuditCountDimension.Actor;
                break;
            default:
                return Problem("by", "by must be 'type', 'hour' or 'actor'.");
        }

        // Bounded like every other read: one key per user (by actor) or per hour could otherwise be millions.
        return TypedResults.Ok(await store.CountAsync(query with { Limit = keys }, dimension, cancellationToken));
    }

    /// <summary>The filters shared by every read endpoint (and the stream), or a problem naming the bad parameter.</summary>
    internal static ProblemHttpResult? ParseFilters(AuditEventCriteria criteria, out AuditQuery query)
    {
        query = new AuditQuery();
        DateTimeOffset? from = null, to = null;
        if (criteria.From is not null)
        {
            if (!TryParseTime(criteria.From, out var f))
            {
                return Problem("from", "from must be an RFC 3339 timestamp such as 2026-01-31T12:00:00Z.");
            }

            from = f;
        }

        if (criteria.To is not null)
        {
            if (!TryParseTime(criteria.To, out var t))
            {
                return Problem("to", "to must be an RFC 3339 timestamp such as 2026-01-31T12:00:00Z.");
            }

            to = t;
        }

        if (from > to)
        {
            return Problem("from", "from must not be later than to.");
        }

        query = new AuditQuery(Empty(criteria.Type), Empty(criteria.Source), Empty(criteria.Subject), from, to,
            AuthType: Empty(criteria.AuthType), AuthId: Empty(criteria.AuthId));
        return null;
    }

    private static bool TryParseTime(string text, out DateTimeOffset value)
    {
        // An unescaped '+' in a query string arrives as a space: read "12:00:00 02:00" as "+02:00".
        text = text.Replace(' ', '+');
        value = default;
        return Rfc3339().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    // RFC 3339 date-time: the offset is required, so no timestamp is read in the server's zone.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,7})?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();

    private static bool PrefersNdjson(string? accept)
    {
        if (string.IsNullOrEmpty(accept) || !MediaTypeHeaderValue.TryParseList([accept], out var mediaTypes))
        {
            return false;
        }

        double Quality(string mediaType) =>
            mediaTypes.Where(m => m.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase)).Select(m => m.Quality ?? 1).DefaultIfEmpty(0).Max();

        return Quality(CloudEventExportResult.NdjsonMediaType) > Quality(CloudEventExportResult.BatchMediaType);
    }

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static ProblemHttpResult Problem(string parameter, string detail) => ParameterProblem.For(parameter, detail);
}

/// <summary>Source-generated JSON for AuditService's own types.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(AuditEventPage))]
[JsonSerializable(typeof(AuditEventResponse))]
[JsonSerializable(typeof(IReadOnlyList<AuditCount>))]
[JsonSerializable(typeof(AuditConflictPage))]
[JsonSerializable(typeof(IngestResult))]
[JsonSerializable(typeof(CheckpointKeyResponse))]
[JsonSerializable(typeof(ChainVerification))]
[JsonSerializable(typeof(CheckpointPage))]
[JsonSerializable(typeof(CheckpointResponse))]
// The stream's answer, as its OpenAPI document describes it.
[JsonSerializable(typeof(System.Net.ServerSentEvents.SseItem<string>))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
