using Microsoft.AspNetCore.Http.HttpResults;

namespace AuditService.Api;

/// <summary>The 400 ProblemDetails of a bad query parameter, worded alike by every read endpoint.</summary>
internal static class ParameterProblem
{
    /// <summary>A 400 naming the parameter in its title and in a <c>parameter</c> member.</summary>
    public static ProblemHttpResult For(string parameter, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: $"Invalid parameter '{parameter}'",
            extensions: new Dictionary<string, object?> { ["parameter"] = parameter });
}
