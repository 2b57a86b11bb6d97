using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace UserAudit.Tests.EndToEnd;

/// <summary>The original design end to end: a new user's CloudEvent reaches the audit store through Kafka.</summary>
public sealed class WalkingSkeletonTests(UserAuditApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Created_user_event_reaches_the_audit_store_with_every_attribute()
    {
        using var response = await app.Users.PostAsync("/v1/users",
            new StringContent("""{"name": "Grace Hopper", "password": "cobol-1959-rocks"}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var user = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var id = user.GetProperty("id").GetString()!;
        Assert.Equal("Grace Hopper", user.GetProperty("name").GetString());
        Assert.False(user.TryGetProperty("password", out _));
        Assert.Equal($"/v1/users/{id}", response.Headers.Location?.OriginalString);

        var stored = Assert.Single(await app.WaitForExactlyAuditEventsAsync(id, 1, Ct));
        Assert.Equal("1.0", stored.GetProperty("specVersion").GetString());
        Assert.Equal("org.useraudit.user.created.v1", stored.GetProperty("type").GetString());
        Assert.Equal(id, stored.GetProperty("subject").GetString());
        Assert.True(Uri.TryCreate(stored.GetProperty("source").GetString(), UriKind.Absolute, out _));
        Assert.True(Guid.TryParse(stored.GetProperty("id").GetString(), out _));
        Assert.Equal("application/json", stored.GetProperty("dataContentType").GetString());
        Assert.Equal(id, stored.GetProperty("data").GetProperty("id").GetString());
        var time = stored.GetProperty("time").GetDateTimeOffset();
        Assert.InRange(time, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        var kafka = stored.GetProperty("kafka");
        Assert.Equal("audit", kafka.GetProperty("topic").GetString());
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", stored.GetProperty("extensions").GetProperty("traceparent").GetString());
    }

    [Fact]
    public async Task Audit_events_can_be_filtered_by_type_and_subject_newest_first()
    {
        // Newest first is storage order; two users' events may travel on different partitions,
        // so the first is stored before the second is even created.
        var first = await app.CreateUserAsync("First", "password-one", Ct);
        await app.WaitForExactlyAuditEventsAsync(first, 1, Ct);
        var second = await app.CreateUserAsync("Second", "password-two", Ct);
        await app.WaitForAuditEventsAsync(second, 1, Ct);

        var page = await app.Audit.GetFromJsonAsync<JsonElement>($"/v1/audit-events?type=org.useraudit.user.created.v1&subject={first}", Ct);
        var only = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal(first, only.GetProperty("subject").GetString());

        var all = await app.Audit.GetFromJsonAsync<JsonElement>("/v1/audit-events?type=org.useraudit.user.created.v1&limit=500", Ct);
        var subjects = all.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("subject").GetString()).ToList();
        Assert.Contains(first, subjects);
        Assert.Contains(second, subjects);
        Assert.True(subjects.IndexOf(second) < subjects.IndexOf(first), "newest first");
    }

    [Fact]
    public async Task The_original_designs_POST_v1_user_still_creates_a_user_marked_deprecated_with_a_link_to_its_successor()
    {
        using var anonymous = app.AnonymousUsersClient();

        using var tooShort = await anonymous.PostAsync("/v1/user", new StringContent("""{"name": "Ada", "password": "12345"}""", Encoding.UTF8, "application/json"), Ct);
        using var created = await anonymous.PostAsync("/v1/user", new StringContent("""{"name": "Ada", "password": "analytical-engine-1843"}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, tooShort.StatusCode);
        Assert.Contains("password must be at least 8 characters", await tooShort.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        foreach (var response in (HttpResponseMessage[])[tooShort, created])
        {
            Assert.Matches("^@[0-9]+$", Assert.Single(response.Headers.GetValues("Deprecation")));
            Assert.Equal("</v1/users>; rel=\"successor-version\"", Assert.Single(response.Headers.GetValues("Link")));
        }

        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;
        Assert.EndsWith($"/v1/users/{id}", created.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Single(await app.WaitForAuditEventsAsync(id, 1, Ct));
    }

    [Theory]
    [InlineData("""{"name": "Ada", "password": """, "Malformed JSON")]
    [InlineData("""{"password": "long-enough-secret"}""", "name is required")]
    [InlineData("""{"name": "   ", "password": "long-enough-secret"}""", "name must be 1 to 100")]
    [InlineData("""{"name": 42, "password": "long-enough-secret"}""", "Wrong type")]
    [InlineData("""{"name": "Ada", "password": "long-enough-secret", "admin": true}""", "Unknown field")]
    [InlineData("""{"name": "Ada", "password": "short"}""", "password must be at least 8 characters: shorter passwords are guessed too easily")]
    public async Task Bad_create_requests_get_a_problem_details_400_that_says_what_is_wrong(string body, string expected)
    {
        using var response = await app.Users.PostAsync("/v1/users", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.DoesNotContain("long-enough-secret", text, StringComparison.Ordinal);
    }
}
