using Microsoft.AspNetCore.Diagnostics;
using UserService.Users;

namespace UserService.Sessions;

/// <summary>A request refused by the password-hashing admission control is a 503 with Retry-After, not a 500.</summary>
public sealed class HashingBusyExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (exception is not HashingBusyException)
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        JsonBody.SetRetryAfter(httpContext.Response, HashingBusyException.RetryAfter);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Busy",
                Detail = "Too many password operations are running; retry after the time in Retry-After.",
            },
        });
    }
}
