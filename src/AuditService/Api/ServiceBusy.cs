using Microsoft.AspNetCore.Mvc;

namespace AuditService.Api;

/// <summary>The answer to a request AuditService has no room for now: 503 ProblemDetails with <c>Retry-After</c>.</summary>
internal static class ServiceBusy
{
    /// <summary>Writes the answer; <paramref name="retryAfterSeconds"/> tells the client when to try again.</summary>
    public static async ValueTask WriteAsync(HttpContext http, int retryAfterSeconds, string title, string detail)
    {
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable, Title = title, Detail = detail },
        });
    }
}
