namespace AuditService.Trail;

/// <summary>
/// The audit trail page: static files under <c>wwwroot/trail</c>, served at <c>/trail/</c> without a
/// key because they hold no data. The page asks for a read key and sends it with every call to the
/// read API and the stream, which answer 401 without one as before.
/// </summary>
public static class TrailPage
{
    /// <summary>Where the page is served.</summary>
    public const string Path = "/trail";

    // Only the page's own files, no inline script or style, no framing: event text is shown with
    // textContent, and this policy is the second line should that ever slip.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Serves the page's files (with their security headers) and sends <c>/</c> to it.</summary>
    public static IApplicationBuilder UseTrailPage(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/", () => TypedResults.Redirect(Path + "/")).ExcludeFromDescription();
        // /trail is redirected to /trail/ by the default-files middleware, so the page's relative links resolve.
        app.UseDefaultFiles();
        // The headers go on every file served, whatever the request's path looked like: the file provider
        // also finds the page at //trail/, which a test of the path's segments would miss.
        return app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = file =>
            {
                var headers = file.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers.CacheControl = "no-cache";
            },
        });
    }
}
