using System.Threading.RateLimiting;
using AuditService.Api;
using AuditService.Security;
using AuditService.Store;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.OpenApi;
using UserAudit.CloudEvents;
using UserAudit.CloudEvents.Core;
using UserAudit.CloudEvents.Http;

namespace AuditService.Ingestion;

/// <summary>Dependencies of <c>POST /v1/cloudevents</c>.</summary>
/// <remarks>Each marked as a service, or the request delegate generated at compile time treats any of them as a possible JSON body.</remarks>
public sealed record HttpIngestionServices(
    [FromServices] AuditEventWriter Writer, [FromServices] ReservedSources Reserved, [FromServices] IngestionMetrics Metrics,
    [FromServices] IOptions<IngestionOptions> Options, [FromServices] TimeProvider Time, [FromServices] ILogger<HttpIngestionServices> Logger);

/// <summary>
/// <c>POST /v1/cloudevents</c>: CloudEvents over HTTP in binary, structured or batch mode, into
/// the same store with the same (source, id) dedupe as the Kafka path. Requires an ingest key, and
/// every event's source must be one the key is granted and not a reserved one (403 otherwise,
/// nothing of the request stored). At most <see cref="IngestionOptions.MaxBatchEvents"/> events a
/// request, and <see cref="IngestionOptions.MaxConcurrentHttpIngests"/> requests at once.
/// </summary>
public static partial class HttpIngestionApi
{
    private const string StructuredJsonMediaType = "application/cloudevents+json", BatchJsonMediaType = "application/cloudevents-batch+json";

    /// <summary>The rate-limiting policy bounding concurrent HTTP ingest.</summary>
    public const string ConcurrencyPolicy = "http-ingest";

    /// <summary>Maps the endpoint.</summary>
    public static RouteHandlerBuilder MapHttpIngestionApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/v1/cloudevents", IngestAsync).WithTags("Ingestion").WithName("IngestCloudEvents")
            .WithSummary("Stores CloudEvents sent over HTTP, in structured, batch or binary mode")
            .RequireAuthorization(AuditPolicies.Ingest).RequireRateLimiting(ConcurrencyPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // Documented rather than declared with Accepts: binary mode takes any media type, and
                // routing would refuse every type an Accepts does not list.
                operation.RequestBody = new OpenApiRequestBody
                {
                    Description = "Structured mode: one event as application/cloudevents+json. Batch mode: a JSON array of events as "
                        + "application/cloudevents-batch+json. Binary mode: the attributes in ce-* headers (ce-specversion, ce-id, ce-source, "
                        + "ce-type, ...) and the data as the body, in any media type, or no body.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        [StructuredJsonMediaType] = new(),
                        [BatchJsonMediaType] = new(),
                        ["*/*"] = new(),
                    },
                };
                return Task.CompletedTask;
            });

    /// <summary>
    /// One limiter for every sender: ingest shares one database with the Kafka path, so the bound is
    /// the store's, not a sender's. Rejected requests get 503 ProblemDetails with <c>Retry-After</c>.
    /// </summary>
    public static IServiceCollection AddHttpIngestionLimits(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(ConcurrencyPolicy, context => RateLimitPartition.GetConcurrencyLimiter(ConcurrencyPolicy, _ =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<IngestionOptions>>().Value;
                return new ConcurrencyLimiterOptions
                {
                    PermitLimit = options.MaxConcurrentHttpIngests,
                    QueueLimit = options.HttpIngestQueue,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                };
            }));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var http = rejected.HttpContext;
                http.RequestServices.GetRequiredService<IngestionMetrics>().Refused.Add(1, new KeyValuePair<string, object?>("reason", "busy"));
                await ServiceBusy.WriteAsync(http, 1, "Ingest busy", "Too many ingest requests are being processed; retry after the time in Retry-After.");
            };
        });

    private static async Task<Results<Accepted<IngestResult>, ProblemHttpResult>> IngestAsync(
        HttpContext context, [AsParameters] HttpIngestionServices services, CancellationToken cancellationToken)
    {
        var credential = context.Credential() ?? throw new InvalidOperationException("The ingest policy let a request through without a credential.");
        if (UnsupportedEventFormat(context.Request.Headers.ContentType) is { } unsupported)
        {
            return unsupported;
        }

        var options = services.Options.Value;
        IReadOnlyList<CloudNative.CloudEvents.CloudEvent> events;
        try
        {
            events = await context.Request.ReadCloudEventsAsync(CloudEventJson.Formatter, options.MaxEventBytes, cancellationToken, DistributedTracingExtension.AllAttributes);
        }
        catch (CloudEventBindingException ex)
        {
            return Invalid(ex);
        }

        if (events.Count == 0)
        {
            return TypedResults.Problem(detail: "The batch holds no event.", statusCode: StatusCodes.Status400BadRequest, title: "Empty batch");
        }

        if (events.Count > options.MaxBatchEvents)
        {
            services.Metrics.Refused.Add(1, new KeyValuePair<string, object?>("reason", "too-many-events"));
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too many events",
                detail: $"The batch holds {events.Count} events; at most {options.MaxBatchEvents} are accepted per request. Send smaller batches.");
        }

        foreach (var cloudEvent in events)
        {
            if (Refusal(cloudEvent.Source!.OriginalString, credential, services) is { } refused)
            {
                return refused;
            }
        }

        var now = services.Time.GetUtcNow();
        List<IngestedEvent> ingested;
        try
        {
            ingested = [.. events.Select(e => new IngestedEvent(AuditRecord.From(e, CloudEventJson.Formatter, null, now, credential.Name), Span: null))];
        }
        catch (CloudEventBindingException ex)
        {
            return Invalid(ex);
        }

        var result = await services.Writer.WriteAsync(ingested, cancellationToken);
        return TypedResults.Accepted((string?)null, new IngestResult(ingested.Count, result.Stored, result.Duplicates, result.Conflicts));
    }

    private static ProblemHttpResult Invalid(CloudEventBindingException ex)
    {
        var status = ex.Error == CloudEventBindingError.BodyTooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest;
        return TypedResults.Problem(detail: ex.Message, statusCode: status, title: $"Invalid CloudEvent: {ex.Error}",
            extensions: new Dictionary<string, object?> { ["error"] = ex.Error.ToString(), ["member"] = ex.Member });
    }

    /// <summary>
    /// 415 for a structured or batch body in an event format other than JSON (<c>application/cloudevents+xml</c>,
    /// <c>application/cloudevents-batch+avro</c>, no suffix at all): the JSON formatter would otherwise
    /// parse any such body as JSON, and store an event whose sender meant another format.
    /// </summary>
    private static ProblemHttpResult? UnsupportedEventFormat(StringValues contentType)
    {
        if (contentType.Count != 1)
        {
            // None is binary mode without data; several are the binding's to refuse (DuplicateHeader).
            return null;
        }

        var mediaType = contentType[0]!.Split(';', 2)[0].Trim();
        var supported = MediaTypes.IsBatch(mediaType) ? BatchJsonMediaType : MediaTypes.IsStructured(mediaType) ? StructuredJsonMediaType : null;
        return supported is null || mediaType.Equals(supported, StringComparison.OrdinalIgnoreCase)
            ? null
            : TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported event format",
                detail: $"Structured and batch mode take the JSON event format only: {StructuredJsonMediaType} or {BatchJsonMediaType}.");
    }

    /// <summary>403 when the key may not write <paramref name="source"/>: reserved for Kafka, or not granted to it.</summary>
    private static ProblemHttpResult? Refusal(string source, AuditCredential credential, HttpIngestionServices services)
    {
        var (reason, detail) = services.Reserved.Covers(source)
            ? ("reserved-source", "Events of this source reach AuditService through Kafka only; no HTTP sender may write them.")
            : credential.Sources.Allows(source)
                ? (null, null)
                : ("source-not-granted", $"The key '{credential.Name}' is not granted this source; ask for a grant in Auth:IngestKeys:{credential.Name}:Sources.");
        if (reason is null)
        {
            return null;
        }

        services.Metrics.Refused.Add(1, new KeyValuePair<string, object?>("reason", reason));
        LogRefused(services.Logger, credential.Name, LogText.Escape(source)!, reason);
        return TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status403Forbidden, title: "Source not allowed",
            extensions: new Dictionary<string, object?> { ["source"] = source, ["reason"] = reason });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "HTTP ingest refused: key {IngestKey} sent an event of source {CloudEventSource} ({Reason}); nothing of the request stored")]
    private static partial void LogRefused(ILogger logger, string ingestKey, string cloudEventSource, string reason);
}
