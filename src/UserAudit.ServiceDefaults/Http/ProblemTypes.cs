using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace UserAudit.ServiceDefaults.Http;

/// <summary>
/// Gives every ProblemDetails the same members, whoever wrote it: ASP.NET Core fills in <c>type</c> (the
/// RFC 9110 section), <c>title</c> and <c>traceId</c> for most statuses, but leaves <c>type</c> out for
/// 413 and for RFC 6585's 428, 429 and 431; those get their section, any other status without a type
/// <c>about:blank</c> (RFC 9457's meaning of an absent type), and a missing title the reason phrase.
/// </summary>
internal static class ProblemTypes
{
    private static readonly Dictionary<int, string> Sections = new()
    {
        [StatusCodes.Status413PayloadTooLarge] = "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        [StatusCodes.Status428PreconditionRequired] = "https://tools.ietf.org/html/rfc6585#section-3",
        [StatusCodes.Status429TooManyRequests] = "https://tools.ietf.org/html/rfc6585#section-4",
        [StatusCodes.Status431RequestHeaderFieldsTooLarge] = "https://tools.ietf.org/html/rfc6585#section-5",
    };

    /// <summary>Fills in what the framework left out (<c>ProblemDetailsOptions.CustomizeProblemDetails</c>).</summary>
    public static void Complete(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        problem.Type ??= Sections.GetValueOrDefault(status, "about:blank");
        problem.Title ??= ReasonPhrases.GetReasonPhrase(status);
    }
}
