using AuditService.Store;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using UserAudit.CloudEvents;
using UserAudit.CloudEvents.Http;

namespace AuditService.Ingestion;

/// <summary>
/// <c>POST /v1/cloudevents</c>: CloudEvents over HTTP in binary, structured or batch mode, into
/// the same store with the same (source, id) dedupe as the Kafka path. Requires the API key.
/// </summary>
public static class HttpIngestionApi
{
    /// <summary>Maps the endpoint.</summary>
    public static RouteHandlerBuilder MapHttpIngestionApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/v1/cloudevents", IngestAsync).WithTags("Ingestion").WithName("IngestCloudEvents")
            .RequireAuthorization().ProducesProblem(StatusCodes.Status401Unauthorized);

    private static async Task<Results<Accepted<IngestResult>, ProblemHttpResult>> IngestAsync(
        HttpRequest request, AuditEventWriter writer, IOptions<IngestionOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        IReadOnlyList<CloudNative.CloudEvents.CloudEvent> events;
        try
        {
            events = await request.ReadCloudEventsAsync(CloudEventJson.Formatter, options.Value.MaxEventBytes, cancellationToken, DistributedTracingExtension.AllAttributes);
        }
        catch (CloudEventBindingException ex)
        {
            var status = ex.Error == CloudEventBindingError.BodyTooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest;
            return TypedResults.Problem(detail: ex.Message, statusCode: status, title: $"Invalid CloudEvent: {ex.Error}",
                extensions: new Dictionary<string, object?> { ["error"] = ex.Error.ToString(), ["member"] = ex.Member });
        }

        if (events.Count == 0)
        {
            return TypedResults.Problem(detail: "The batch holds no event.", statusCode: StatusCodes.Status400BadRequest, title: "Empty batch");
        }

        var now = time.GetUtcNow();
        var ingested = events.Select(e => new IngestedEvent(AuditRecord.From(e, CloudEventJson.Formatter, null, now), Span: null)).ToList();
        var result = await writer.WriteAsync(ingested, cancellationToken);
        return TypedResults.Accepted((string?)null, new IngestResult(ingested.Count, result.Stored, result.Duplicates));
    }
}
