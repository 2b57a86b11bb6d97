using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace UserAudit.ServiceDefaults.Http;

/// <summary>
/// Answers a request that Kestrel rejected while the application was reading its body (malformed
/// chunked framing, a body that ends early or arrives too slowly, one over the server's size
/// limit) with the rejection's own 4xx status as a ProblemDetails. Kestrel reports these as a
/// <see cref="BadHttpRequestException"/> thrown from the body stream, which the exception handler
/// would otherwise turn into a 500 and log as an application error: the client's fault, not ours.
/// (Body readers turn the plain <see cref="IOException"/> Kestrel throws for an overflowing chunk
/// size into a <see cref="BadHttpRequestException"/> too.)
/// </summary>
internal sealed partial class RejectedRequestExceptionHandler(ILogger<RejectedRequestExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException rejected)
        {
            return false;
        }

        LogRejected(logger, rejected.StatusCode, rejected.Message);
        httpContext.Response.StatusCode = rejected.StatusCode;
        if (httpContext.RequestServices.GetService<IProblemDetailsService>() is { } problemDetails)
        {
            // Kestrel's messages name the rule ("Bad chunk size data.", "Unexpected end of request
            // content.") and never echo the request.
            await problemDetails.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = new ProblemDetails
                {
                    Status = rejected.StatusCode,
                    Title = ReasonPhrases.GetReasonPhrase(rejected.StatusCode),
                    Detail = rejected.Message,
                },
            });
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Request rejected with {StatusCode} while its body was read: {Reason}")]
    private static partial void LogRejected(ILogger logger, int statusCode, string reason);
}
