using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Microsoft.Playwright;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.Browser;

/// <summary>The audit trail page in a real browser, against the shared application.</summary>
public sealed class TrailPageTests(UserAuditApp app, Chromium chromium) : IClassFixture<Chromium>
{
    private const float Patience = 30_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Uri TrailUri => new(app.App.GetEndpoint("audit-service", "http"), "/trail/");

    [Fact]
    public async Task A_signed_in_reader_filters_by_a_user_sees_its_change_arrive_live_and_every_attribute_of_the_event()
    {
        var userId = await app.CreateUserAsync("Trail Watcher", "trail-watcher-password", Ct);
        await app.WaitForAuditEventsAsync(userId, 1, Ct);
        await using var context = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(TrailUri.ToString());

        await page.GetByLabel("Read key").FillAsync(app.AuditApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the trail" }).ClickAsync();
        // Choosing the subject shows the user's timeline.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Show the timeline of {userId}" }).First.ClickAsync(new() { Timeout = Patience });
        await page.GetByText($"Timeline of {userId}").WaitForAsync(new() { Timeout = Patience });
        await Assertions.Expect(page.Locator("#live")).ToContainTextAsync("Live", new() { Timeout = Patience });

        using (var renamed = await app.Users.PatchAsync($"/v1/users/{userId}", JsonContent.Create(new { name = "Trail Watcher Renamed" }), Ct))
        {
            renamed.EnsureSuccessStatusCode();
        }

        var arrived = page.Locator("li.event.new", new() { HasText = "org.useraudit.user.updated.v1" });
        await arrived.WaitForAsync(new() { Timeout = Patience });
        await Assertions.Expect(page.Locator("li.event")).ToHaveCountAsync(2);
        await Chromium.AttachScreenshotAsync(page, "trail-live.png");

        await arrived.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Show event ") }).ClickAsync();
        var shown = await AttributesAsync(page);
        var stored = await app.Audit.GetFromJsonAsync<JsonElement>(
            $"/v1/audit-events/by-id?source={Uri.EscapeDataString(shown["source"])}&id={Uri.EscapeDataString(await arrived.GetAttributeAsync("data-id") ?? "")}", Ct);
        Assert.Equal(stored.GetProperty("specVersion").GetString(), shown["specversion"]);
        foreach (var name in (string[])["id", "source", "type", "subject", "time", "dataContentType", "dataSchema"])
        {
            Assert.Equal(stored.GetProperty(name).GetString(), shown[name.ToLowerInvariant()]);
        }

        foreach (var extension in stored.GetProperty("extensions").EnumerateObject())
        {
            Assert.Equal(extension.Value.GetString(), shown[extension.Name]);
        }

        Assert.Contains("authid", shown.Keys);
        var json = JsonDocument.Parse(await page.Locator("#detail-json").InnerTextAsync()).RootElement;
        Assert.True(JsonElement.DeepEquals(stored.GetProperty("data"), json.GetProperty("data")), "The detail's data differs from the stored event's.");

        // Phone width: nothing wider than the screen.
        await page.Keyboard.PressAsync("Escape");
        await page.SetViewportSizeAsync(390, 844);
        var wider = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '#' + e.id + '.' + e.className)");
        Assert.True(wider.Length == 0, $"At phone width these are wider than the screen: {string.Join(", ", wider)}");
    }

    [Fact]
    public async Task A_wrong_key_gets_an_error_and_no_data_and_the_page_opens_no_way_around_the_key()
    {
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(TrailUri.ToString());

        await page.GetByLabel("Read key").FillAsync("not-the-read-key-0123456789");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the trail" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("refused", new() { Timeout = Patience });
        Assert.False(await page.Locator("#trail").IsVisibleAsync());
        Assert.Equal(0, await page.Locator("li.event").CountAsync());
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('useraudit.trail.readKey')"));
        // From the page's own origin, the data still wants the key.
        foreach (var path in (string[])["/v1/audit-events?limit=1", "/v1/audit-events/stream"])
        {
            var status = await page.EvaluateAsync<int>("async p => (await fetch(p)).status", path);
            Assert.Equal((int)HttpStatusCode.Unauthorized, status);
        }
    }

    [Fact]
    public async Task Without_its_script_the_sign_in_form_puts_no_key_in_the_url()
    {
        // What a browser that does not run the page's script (blocked, failed to load, not run yet) does
        // when the reader presses Enter: it submits the form itself.
        await using var context = await chromium.Browser.NewContextAsync(new() { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        await page.GotoAsync(TrailUri.ToString());

        var key = "a-read-key-typed-before-the-script-ran";
        await page.GetByLabel("Read key").FillAsync(key);
        await page.GetByLabel("Read key").PressAsync("Enter");
        // A GET form's submission always ends its URL with a query, empty when no field is named.
        await page.WaitForURLAsync(url => url.Contains('?', StringComparison.Ordinal), new() { Timeout = Patience });

        Assert.DoesNotContain(key, page.Url, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/trail/")]
    [InlineData("/trail/trail.js")]
    [InlineData("//trail/")]
    [InlineData("//trail/trail.js")]
    public async Task The_page_and_its_files_carry_their_security_headers_however_the_path_is_spelled(string path)
    {
        using var client = new HttpClient();
        // Written out, not resolved against a base: "//trail/" relative to one would name a host.
        var uri = new Uri(app.App.GetEndpoint("audit-service", "http").GetLeftPart(UriPartial.Authority) + path);

        using var response = await client.GetAsync(uri, Ct);

        Assert.Equal((HttpStatusCode.OK, path), (response.StatusCode, uri.AbsolutePath));
        Assert.Contains("frame-ancestors 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.True(response.Headers.CacheControl?.NoCache);
    }

    private static async Task<Dictionary<string, string>> AttributesAsync(IPage page)
    {
        var dialog = page.Locator("#detail");
        await dialog.WaitForAsync(new() { Timeout = Patience });
        var names = await dialog.Locator("dt").AllInnerTextsAsync();
        var values = await dialog.Locator("dd").AllInnerTextsAsync();
        return names.Zip(values).ToDictionary(p => p.First, p => p.Second);
    }
}
