using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.Users;

/// <summary>Every endpoint of <c>/v1/users</c> and every error it can answer, on the real application.</summary>
public sealed class UsersApiTests(UserAuditApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<(string Id, string ETag)> CreateAsync(string name)
    {
        using var response = await app.Users.PostAsync("/v1/users", Json($$"""{"name": "{{name}}", "password": "initial-password"}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return (body.GetProperty("id").GetString()!, response.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task Each_event_carries_the_time_its_change_was_stored_with()
    {
        using var created = await app.Users.PostAsync("/v1/users", Json("""{"name": "Clock", "password": "initial-password"}"""), Ct);
        var user = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var id = user.GetProperty("id").GetString()!;
        using var renamed = await app.Users.PatchAsync($"/v1/users/{id}", Json("""{"name": "Clock Renamed"}"""), Ct);
        var updatedAt = (await renamed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("updatedAt").GetDateTimeOffset();

        var events = await app.WaitForAuditEventsAsync(id, 2, Ct);

        DateTimeOffset TimeOf(string type) =>
            events.Single(e => e.GetProperty("type").GetString() == type).GetProperty("time").GetDateTimeOffset();
        // The create's event used to be stamped after the password hash, about 0.4 s late.
        Assert.Equal(user.GetProperty("createdAt").GetDateTimeOffset(), TimeOf("org.useraudit.user.created.v1"));
        Assert.Equal(updatedAt, TimeOf("org.useraudit.user.updated.v1"));
    }

    [Fact]
    public async Task Each_event_names_the_version_its_change_produced_and_a_deletion_is_one_more()
    {
        var (id, _) = await CreateAsync("Versioned");
        (await app.Users.PatchAsync($"/v1/users/{id}", Json("""{"name": "Versioned Twice"}"""), Ct)).EnsureSuccessStatusCode();
        (await app.Users.PatchAsync($"/v1/users/{id}", Json("""{"password": "another-password-1"}"""), Ct)).EnsureSuccessStatusCode();
        (await app.Users.DeleteAsync($"/v1/users/{id}", Ct)).EnsureSuccessStatusCode();

        // Four changes, and the password change's tokens_revoked, which changes no version.
        var events = await app.WaitForExactlyAuditEventsAsync(id, 5, Ct);

        var versions = events.Where(e => e.GetProperty("data").TryGetProperty("version", out _))
            .OrderBy(e => e.GetProperty("data").GetProperty("version").GetInt64())
            .Select(e => (e.GetProperty("type").GetString(), e.GetProperty("data").GetProperty("version").GetInt64()));
        Assert.Equal(
            [("org.useraudit.user.created.v1", 1L), ("org.useraudit.user.updated.v1", 2L), ("org.useraudit.user.password_changed.v1", 3L), ("org.useraudit.user.deleted.v1", 4L)],
            versions);
    }

    [Fact]
    public async Task Created_user_can_be_read_back_with_its_etag()
    {
        var (id, etag) = await CreateAsync("Read Back");

        using var response = await app.Users.GetAsync($"/v1/users/{id}", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(etag, response.Headers.ETag?.Tag);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("Read Back", body.GetProperty("name").GetString());
        Assert.Equal(1, body.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Unknown_user_is_a_404_problem_and_a_malformed_id_a_400()
    {
        using var missing = await app.Users.GetAsync($"/v1/users/{Guid.NewGuid()}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

        using var malformed = await app.Users.GetAsync("/v1/users/not-a-uuid", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("UUID", await malformed.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listing_pages_through_every_user_with_a_cursor()
    {
        var created = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await CreateAsync($"Pager {i}")).Id);
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await app.Users.GetFromJsonAsync<JsonElement>($"/v1/users?limit=2{(cursor is null ? "" : "&cursor=" + cursor)}", Ct);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.InRange(items.Count, 1, 2);
            seen.AddRange(items.Select(i => i.GetProperty("id").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Superset(created, seen.ToHashSet());
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    [InlineData("cursor=nonsense")]
    public async Task Bad_paging_parameters_are_a_400(string query)
    {
        using var response = await app.Users.GetAsync($"/v1/users?{query}", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Renaming_bumps_the_version_and_emits_an_updated_event_naming_the_field()
    {
        var (id, etag) = await CreateAsync("Before Rename");

        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/v1/users/{id}") { Content = Json("""{"name": "After Rename"}""") };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        using var response = await app.Users.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.Headers.ETag?.Tag);
        var events = await app.WaitForAuditEventsAsync(id, 2, Ct);
        var updated = Assert.Single(events, e => e.GetProperty("type").GetString() == "org.useraudit.user.updated.v1");
        Assert.Equal(["name"], updated.GetProperty("data").GetProperty("changedFields").EnumerateArray().Select(f => f.GetString()));
        Assert.EndsWith("/v1/schemas/user.updated.v1.json", updated.GetProperty("dataSchema").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Password_change_emits_its_own_event_without_the_password()
    {
        var (id, _) = await CreateAsync("Password Changer");

        using var response = await app.Users.PutAsync($"/v1/users/{id}", Json("""{"name": "Password Changer", "password": "brand-new-secret-77"}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await app.WaitForAuditEventsAsync(id, 2, Ct);
        var changed = Assert.Single(events, e => e.GetProperty("type").GetString() == "org.useraudit.user.password_changed.v1");
        // The user id and the version the change produced; never anything about the password.
        Assert.Equal($$"""{"id":"{{id}}","version":2}""", changed.GetProperty("data").GetRawText());
        Assert.DoesNotContain(events, e => e.GetProperty("type").GetString() == "org.useraudit.user.updated.v1");
    }

    [Fact]
    public async Task A_stale_if_match_is_a_412_and_changes_nothing()
    {
        var (id, etag) = await CreateAsync("Contended");
        using (var first = await app.Users.PatchAsync($"/v1/users/{id}", Json("""{"name": "First Writer"}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var stale = new HttpRequestMessage(HttpMethod.Patch, $"/v1/users/{id}") { Content = Json("""{"name": "Second Writer"}""") };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        using var response = await app.Users.SendAsync(stale, Ct);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var current = await app.Users.GetFromJsonAsync<JsonElement>($"/v1/users/{id}", Ct);
        Assert.Equal("First Writer", current.GetProperty("name").GetString());

        using var staleDelete = new HttpRequestMessage(HttpMethod.Delete, $"/v1/users/{id}");
        staleDelete.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        using var deleteResponse = await app.Users.SendAsync(staleDelete, Ct);
        Assert.Equal(HttpStatusCode.PreconditionFailed, deleteResponse.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_user_removes_it_and_emits_a_deleted_event()
    {
        var (id, etag) = await CreateAsync("Short Lived");

        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/v1/users/{id}");
        request.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        using var response = await app.Users.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        using var gone = await app.Users.GetAsync($"/v1/users/{id}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var again = await app.Users.DeleteAsync($"/v1/users/{id}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        var events = await app.WaitForAuditEventsAsync(id, 2, Ct);
        Assert.Equal("org.useraudit.user.deleted.v1", events[0].GetProperty("type").GetString());
    }

    [Fact]
    public async Task One_users_events_arrive_in_the_order_they_happened()
    {
        var (id, _) = await CreateAsync("Ordered 0");
        for (var i = 1; i <= 5; i++)
        {
            using var response = await app.Users.PatchAsync($"/v1/users/{id}", Json($$"""{"name": "Ordered {{i}}"}"""), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var events = await app.WaitForAuditEventsAsync(id, 6, Ct);
        // Stored in the order of the changes (each event's version), and in the order Kafka has them.
        var stored = events.Reverse().ToList();
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], stored.Select(e => e.GetProperty("data").GetProperty("version").GetInt64()));
        var offsets = stored.Select(e => e.GetProperty("kafka").GetProperty("offset").GetInt64()).ToList();
        Assert.Equal(offsets.Order(), offsets);
        Assert.Single(events.Select(e => e.GetProperty("kafka").GetProperty("partition").GetInt32()).Distinct());
    }

    [Fact]
    public async Task A_retried_create_with_the_same_idempotency_key_returns_the_first_answer_and_creates_nothing_twice()
    {
        var key = Guid.NewGuid().ToString();
        var bodies = new List<JsonElement>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/users") { Content = Json("""{"name": "Retried", "password": "retry-password"}""") };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await app.Users.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            bodies.Add(await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
        }

        var id = bodies[0].GetProperty("id").GetString()!;
        Assert.All(bodies, b => Assert.Equal(id, b.GetProperty("id").GetString()));
        await app.WaitForExactlyAuditEventsAsync(id, 1, Ct);

        using var different = new HttpRequestMessage(HttpMethod.Post, "/v1/users") { Content = Json("""{"name": "Retried", "password": "another-password"}""") };
        different.Headers.Add("Idempotency-Key", key);
        using var conflict = await app.Users.SendAsync(different, Ct);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);

        // Keys are scoped to the caller: the same key and request from another caller is its own create.
        using var anonymous = app.AnonymousUsersClient();
        using var elsewhere = new HttpRequestMessage(HttpMethod.Post, "/v1/users") { Content = Json("""{"name": "Retried", "password": "retry-password"}""") };
        elsewhere.Headers.Add("Idempotency-Key", key);
        using var other = await anonymous.SendAsync(elsewhere, Ct);
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        Assert.NotEqual(id, (await other.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Wrong_media_type_oversized_body_and_empty_update_are_clear_errors()
    {
        using var text = await app.Users.PostAsync("/v1/users", new StringContent("name=Ada", Encoding.UTF8, "text/plain"), Ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);

        var huge = new string('x', 20_000);
        using var oversized = await app.Users.PostAsync("/v1/users", Json($$"""{"name": "{{huge}}", "password": "long-enough"}"""), Ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized.StatusCode);

        var (id, _) = await CreateAsync("Nothing To Change");
        using var empty = await app.Users.PatchAsync($"/v1/users/{id}", Json("{}"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);

        using var badIfMatch = new HttpRequestMessage(HttpMethod.Patch, $"/v1/users/{id}") { Content = Json("""{"name": "x"}""") };
        badIfMatch.Headers.TryAddWithoutValidation("If-Match", "W/\"abc\"");
        using var badIfMatchResponse = await app.Users.SendAsync(badIfMatch, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badIfMatchResponse.StatusCode);
    }

    [Fact]
    public async Task Event_schemas_named_by_dataschema_are_served()
    {
        using var response = await app.Users.GetAsync("/v1/schemas/user.created.v1.json", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/schema+json", response.Content.Headers.ContentType?.MediaType);
        var schema = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("id", schema.GetProperty("required")[0].GetString());
    }
}
