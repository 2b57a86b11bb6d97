using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Xunit;

namespace UserAudit.Tests.CloudEvents;

/// <summary>ASP.NET Core requests built from what an HttpClient would send, for the HTTP binding's decoder.</summary>
internal static class HttpRequests
{
    /// <summary>A request carrying the content's headers and body.</summary>
    public static async Task<HttpRequest> FromContentAsync(HttpContent content)
    {
        var context = new DefaultHttpContext();
        // As the wire carries them: a value added without validation is sent as written.
        foreach (var header in content.Headers.NonValidated)
        {
            context.Request.Headers[header.Key] = new StringValues([.. header.Value]);
        }

        byte[] body = await content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = body.Length;
        return context.Request;
    }
}
