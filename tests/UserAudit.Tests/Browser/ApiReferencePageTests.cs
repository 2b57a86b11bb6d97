using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using Microsoft.Playwright;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.Browser;

/// <summary>
/// Each service's interactive API reference (<c>/scalar</c>, there in Development, as under the
/// AppHost) in a real browser that reaches no host but the service, as on a machine without
/// internet: the reference renders the service's operations, and the page asks no one else for
/// anything (no CDN, no telemetry).
/// </summary>
public sealed class ApiReferencePageTests(UserAuditApp app, Chromium chromium) : IClassFixture<Chromium>
{
    private const float Patience = 60_000;

    [Theory]
    [InlineData("user-service", "UserService | v1", "Users endpoints", "post", "/v1/users")]
    [InlineData("audit-service", "AuditService | v1", "Audit events endpoints", "get", "/v1/audit-events")]
    public async Task The_reference_lists_the_services_operations_with_nothing_from_another_host(string service, string title, string tag, string method, string path)
    {
        var origin = app.App.GetEndpoint(service, "http");
        await using var context = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var elsewhere = new ConcurrentQueue<string>();
        await context.RouteAsync("**/*", async route =>
        {
            if (Uri.TryCreate(route.Request.Url, UriKind.Absolute, out var url) && SameOrigin(url, origin))
            {
                await route.ContinueAsync();
                return;
            }

            elsewhere.Enqueue(route.Request.Url);
            await route.AbortAsync("internetdisconnected");
        });
        var page = await context.NewPageAsync();
        var scriptErrors = new ConcurrentQueue<string>();
        page.PageError += (_, error) => scriptErrors.Enqueue(error);

        await page.GotoAsync(new Uri(origin, "/scalar").ToString());

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = title, Exact = true })).ToBeVisibleAsync(new() { Timeout = Patience });
        var operation = page.GetByRole(AriaRole.List, new() { Name = tag, Exact = true }).Locator("a.endpoint")
            .Filter(new() { Has = page.Locator(".endpoint-method", new() { HasTextRegex = new Regex($"^\\s*{method}\\s*$", RegexOptions.IgnoreCase) }) })
            .Filter(new() { Has = page.Locator(".endpoint-path", new() { HasTextRegex = new Regex($"^{Regex.Escape(path)}$") }) });
        await Assertions.Expect(operation).ToBeVisibleAsync(new() { Timeout = Patience });
        // Everything the page asks for once it has rendered (fonts, icons) has been asked for.
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle, new() { Timeout = Patience });
        await Chromium.AttachScreenshotAsync(page, $"{service}-scalar.png");

        Assert.True(elsewhere.IsEmpty, $"The page asked other hosts: {string.Join(", ", elsewhere)}");
        Assert.True(scriptErrors.IsEmpty, $"The page's scripts failed: {string.Join(" | ", scriptErrors)}");
    }

    private static bool SameOrigin(Uri url, Uri origin) =>
        Uri.Compare(url, origin, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
}
