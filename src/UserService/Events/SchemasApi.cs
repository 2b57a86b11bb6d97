using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;

namespace UserService.Events;

/// <summary><c>/v1/schemas/{file}</c>: the JSON Schemas that events name in <c>dataschema</c>.</summary>
public static class SchemasApi
{
    private const string SchemaMediaType = "application/schema+json";

    /// <summary>Maps the endpoint.</summary>
    public static RouteHandlerBuilder MapSchemasApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/v1/schemas/{file}", Get).WithTags("Event schemas").WithName("GetEventSchema")
            .WithSummary("The JSON Schema of an event's data, as its dataschema names it")
            .Produces(StatusCodes.Status200OK, contentType: SchemaMediaType).ProducesProblem(StatusCodes.Status404NotFound);

    private static Results<FileStreamHttpResult, ProblemHttpResult> Get([Description("The schema's file name, the last segment of an event's dataschema.")] string file) =>
        UserEventSchemas.Open(file) is { } stream
            ? TypedResults.Stream(stream, SchemaMediaType)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Schema not found",
                detail: "There is no such schema: events name theirs in 'dataschema'.");
}
