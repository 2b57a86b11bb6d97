using Microsoft.AspNetCore.Http.HttpResults;

namespace UserService.Events;

/// <summary><c>/v1/schemas/{file}</c>: the JSON Schemas that events name in <c>dataschema</c>.</summary>
public static class SchemasApi
{
    /// <summary>Maps the endpoint.</summary>
    public static RouteHandlerBuilder MapSchemasApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/v1/schemas/{file}", Get).WithTags("Event schemas").WithName("GetEventSchema");

    private static Results<FileStreamHttpResult, NotFound> Get(string file) =>
        UserEventSchemas.Open(file) is { } stream
            ? TypedResults.Stream(stream, "application/schema+json")
            : TypedResults.NotFound();
}
