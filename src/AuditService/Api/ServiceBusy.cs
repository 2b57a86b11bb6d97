using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AuditService.Api;

/// <summary>The answer to a request AuditService has no room for now: 503 ProblemDetails with <c>Retry-After</c>.</summary>
internal static class ServiceBusy
{
    /// <summary>Writes the answer; <paramref name="retryAfterSeconds"/> tells the client when to try again.</summary>
    public static async ValueTask WriteAsync(HttpContext http, int retryAfterSeconds, string title, string detail)
    {
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        SetRetryAfter(http.Response, retryAfterSeconds);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable, Title = title, Detail = detail },
        });
    }

    /// <summary>The answer as an endpoint returns it; <c>Retry-After</c> is set on <paramref name="response"/> now.</summary>
    public static ProblemHttpResult Problem(HttpResponse response, int retryAfterSeconds, string title, string detail)
    {
        ArgumentNullException.ThrowIfNull(response);
        SetRetryAfter(response, retryAfterSeconds);
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: title, detail: detail);
    }

    private static void SetRetryAfter(HttpResponse response, int seconds) =>
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
}
