using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.AuditApi;

/// <summary><c>GET /v1/audit-events</c> and <c>/by-id</c>: every filter, the paging, the bad inputs.</summary>
public sealed class AuditEventsQueryTests(UserAuditApp app)
{
    private const string Created = "org.useraudit.tests.created.v1";
    private const string Deleted = "org.useraudit.tests.deleted.v1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Events_are_listed_newest_first_and_filtered_by_source()
    {
        var events = new AuditApiEvents(app);
        var subject = AuditApiEvents.NewSubject();
        var stored = Enumerable.Range(0, 3).Select(i => events.Json(Created, subject, AuditApiEvents.BaseTime.AddMinutes(i))).ToList();
        await events.StoreAsync(stored, Ct);

        var items = await ItemsAsync(events.Query("/v1/audit-events"));

        Assert.Equal(stored.Select(e => e.Id).Reverse(), items.Select(e => e.GetProperty("id").GetString()));
        Assert.All(items, e => Assert.Equal(events.Source, e.GetProperty("source").GetString()));
    }

    [Fact]
    public async Task Events_are_filtered_by_type()
    {
        var events = new AuditApiEvents(app);
        var subject = AuditApiEvents.NewSubject();
        var created = events.Json(Created, subject, AuditApiEvents.BaseTime);
        var deleted = events.Json(Deleted, subject, AuditApiEvents.BaseTime.AddMinutes(1));
        await events.StoreAsync([created, deleted], Ct);

        var items = await ItemsAsync(events.Query("/v1/audit-events") + $"&type={Deleted}");

        Assert.Equal(deleted.Id, Assert.Single(items).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Events_are_filtered_by_the_actor_named_in_their_auth_context()
    {
        var events = new AuditApiEvents(app);
        var subject = AuditApiEvents.NewSubject();
        CloudNative.CloudEvents.CloudEvent By(string authType, string authId)
        {
            var e = events.Json(Created, subject, AuditApiEvents.BaseTime);
            e[UserAudit.CloudEvents.AuthContextExtension.AuthType] = authType;
            e[UserAudit.CloudEvents.AuthContextExtension.AuthId] = authId;
            return e;
        }

        var (admin, user, service) = (By("user", "admin-7"), By("user", "user-7"), By("service_account", "admin-7"));
        await events.StoreAsync([admin, user, service], Ct);

        var byId = await ItemsAsync(events.Query("/v1/audit-events") + "&authid=admin-7");
        var byBoth = await ItemsAsync(events.Query("/v1/audit-events") + "&authtype=user&authid=admin-7");

        Assert.Equal([service.Id, admin.Id], byId.Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(admin.Id, Assert.Single(byBoth).GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_users_history_is_the_events_filtered_by_subject()
    {
        var events = new AuditApiEvents(app);
        var user = AuditApiEvents.NewSubject();
        var history = new[] { events.Json(Created, user, AuditApiEvents.BaseTime), events.Json(Deleted, user, AuditApiEvents.BaseTime.AddHours(1)) };
        await events.StoreAsync([history[0], events.Json(Created, AuditApiEvents.NewSubject(), AuditApiEvents.BaseTime), history[1]], Ct);

        // No source filter: the subject alone selects the user's history across sources.
        var items = await ItemsAsync($"/v1/audit-events?subject={user}");

        Assert.Equal([history[1].Id, history[0].Id], items.Select(e => e.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task The_time_range_includes_from_and_excludes_to()
    {
        var events = new AuditApiEvents(app);
        var subject = AuditApiEvents.NewSubject();
        var stored = Enumerable.Range(0, 5).Select(i => events.Json(Created, subject, AuditApiEvents.BaseTime.AddMinutes(i))).ToList();
        await events.StoreAsync(stored, Ct);

        var from = AuditApiEvents.Time(AuditApiEvents.BaseTime.AddMinutes(1));
        var to = AuditApiEvents.Time(AuditApiEvents.BaseTime.AddMinutes(3));
        var items = await ItemsAsync(events.Query("/v1/audit-events") + $"&from={from}&to={to}");

        Assert.Equal([stored[2].Id, stored[1].Id], items.Select(e => e.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task A_time_with_an_offset_is_compared_as_the_instant_it_names()
    {
        var events = new AuditApiEvents(app);
        var inside = events.Json(Created, AuditApiEvents.NewSubject(), AuditApiEvents.BaseTime);
        await events.StoreAsync([inside, events.Json(Created, AuditApiEvents.NewSubject(), AuditApiEvents.BaseTime.AddHours(-1))], Ct);

        // 12:00+02:00 is 10:00Z; the unescaped '+' arrives as a space and is still understood.
        var items = await ItemsAsync(events.Query("/v1/audit-events") + "&from=2020-03-04T12:00:00+02:00");

        Assert.Equal(inside.Id, Assert.Single(items).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Pages_follow_the_cursor_until_every_event_is_seen_once()
    {
        var events = new AuditApiEvents(app);
        var subject = AuditApiEvents.NewSubject();
        var stored = Enumerable.Range(0, 5).Select(i => events.Json(Created, subject, AuditApiEvents.BaseTime.AddMinutes(i))).ToList();
        await events.StoreAsync(stored, Ct);

        var seen = new List<string?>();
        var pageSizes = new List<int>();
        string? cursor = null;
        do
        {
            var url = events.Query("/v1/audit-events") + "&limit=2" + (cursor is null ? "" : $"&cursor={cursor}");
            var page = await app.Audit.GetFromJsonAsync<JsonElement>(url, Ct);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            pageSizes.Add(items.Count);
            seen.AddRange(items.Select(e => e.GetProperty("id").GetString()));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal([2, 2, 1], pageSizes);
        Assert.Equal(stored.Select(e => e.Id).Reverse(), seen);
    }

    [Fact]
    public async Task A_page_of_large_events_ends_at_the_byte_budget_and_its_cursor_leads_to_the_rest()
    {
        var events = new AuditApiEvents(app);
        var padding = new string('x', 450_000);
        var stored = new List<CloudNative.CloudEvents.CloudEvent>();
        for (var i = 0; i < 3; i++)
        {
            var large = events.Json(Created, AuditApiEvents.NewSubject(), AuditApiEvents.BaseTime.AddMinutes(i));
            large.Data = JsonDocument.Parse($$"""{"padding":"{{padding}}"}""").RootElement.Clone();
            // One request each: a request's body is bounded like one event.
            await events.StoreAsync([large], Ct);
            stored.Add(large);
        }

        var first = await app.Audit.GetFromJsonAsync<JsonElement>(events.Query("/v1/audit-events"), Ct);
        var cursor = first.GetProperty("nextCursor").GetString();
        var rest = await app.Audit.GetFromJsonAsync<JsonElement>(events.Query("/v1/audit-events") + $"&cursor={cursor}", Ct);

        // Two events of 450 KB fit in the default 1 MiB, a third does not: the page holds two of the 50 asked for.
        Assert.Equal(2, first.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("nextCursor").ValueKind);
        var seen = first.GetProperty("items").EnumerateArray().Concat(rest.GetProperty("items").EnumerateArray()).Select(e => e.GetProperty("id").GetString());
        Assert.Equal(stored.Select(e => e.Id).Reverse(), seen);
        Assert.Equal(padding, rest.GetProperty("items")[0].GetProperty("data").GetProperty("padding").GetString());
    }

    [Fact]
    public async Task One_event_is_found_by_source_and_id()
    {
        var events = new AuditApiEvents(app);
        var stored = events.Json(Created, AuditApiEvents.NewSubject(), AuditApiEvents.BaseTime);
        await events.StoreAsync([stored], Ct);

        var found = await app.Audit.GetFromJsonAsync<JsonElement>($"/v1/audit-events/by-id?source={Uri.EscapeDataString(events.Source)}&id={stored.Id}", Ct);
        using var missing = await app.Audit.GetAsync($"/v1/audit-events/by-id?source={Uri.EscapeDataString(events.Source)}&id={Guid.NewGuid()}", Ct);

        Assert.Equal(stored.Id, found.GetProperty("id").GetString());
        Assert.Equal(stored.Subject, found.GetProperty("data").GetProperty("subject").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("/v1/audit-events?from=yesterday", "from")]
    [InlineData("/v1/audit-events?from=2026-01-31T12:00:00", "from")]
    [InlineData("/v1/audit-events?to=2026-13-01T00:00:00Z", "to")]
    [InlineData("/v1/audit-events?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    [InlineData("/v1/audit-events?cursor=abc", "cursor")]
    [InlineData("/v1/audit-events?cursor=-5", "cursor")]
    [InlineData("/v1/audit-events?limit=0", "limit")]
    [InlineData("/v1/audit-events?limit=501", "limit")]
    [InlineData("/v1/audit-events?limit=ten", "limit")]
    [InlineData("/v1/audit-events/by-id?id=1", "source")]
    [InlineData("/v1/audit-events/by-id?source=urn:x", "id")]
    [InlineData("/v1/audit-events/export?format=xml", "format")]
    [InlineData("/v1/audit-events/export?to=soon", "to")]
    [InlineData("/v1/audit-events/counts?by=day", "by")]
    [InlineData("/v1/audit-events/counts?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    public async Task Bad_parameters_get_a_problem_details_400_naming_the_parameter(string url, string parameter)
    {
        using var response = await app.Audit.GetAsync(url, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        Assert.Contains($"'{parameter}'", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    private async Task<List<JsonElement>> ItemsAsync(string url)
    {
        var page = await app.Audit.GetFromJsonAsync<JsonElement>(url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "limit=500", Ct);
        return [.. page.GetProperty("items").EnumerateArray()];
    }
}
