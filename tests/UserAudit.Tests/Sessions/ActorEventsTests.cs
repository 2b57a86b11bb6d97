using System.Net.Http.Json;
using System.Text.Json;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.Sessions;

/// <summary>Every event names who caused it (Auth Context), end to end through Kafka into the audit store.</summary>
public sealed class ActorEventsTests(UserAuditApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static (string? Type, string? Id) Actor(JsonElement stored)
    {
        var extensions = stored.GetProperty("extensions");
        return (extensions.TryGetProperty("authtype", out var type) ? type.GetString() : null,
            extensions.TryGetProperty("authid", out var id) ? id.GetString() : null);
    }

    private static JsonElement Single(JsonElement[] events, string type) =>
        Assert.Single(events, e => e.GetProperty("type").GetString() == "org.useraudit.user." + type);

    [Fact]
    public async Task Each_change_and_session_event_records_its_actor()
    {
        const string password = "actor-password-1";
        using var anonymous = app.AnonymousUsersClient();
        using var registered = await anonymous.PostAsJsonAsync("/v1/users", new { name = "Actor", password }, Ct);
        registered.EnsureSuccessStatusCode();
        var id = (await registered.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;

        using (var wrong = await anonymous.PostAsJsonAsync("/v1/sessions", new { userId = id, password = "not-the-password" }, Ct))
        {
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using (var self = app.UsersClient(await app.SignInAsync(id, password, Ct)))
        {
            (await self.PatchAsJsonAsync($"/v1/users/{id}", new { name = "Actor Renamed" }, Ct)).EnsureSuccessStatusCode();
            (await self.PatchAsJsonAsync($"/v1/users/{id}", new { password = "actor-password-2", currentPassword = password }, Ct)).EnsureSuccessStatusCode();
        }

        (await app.Users.PatchAsJsonAsync($"/v1/users/{id}", new { name = "Renamed By Admin" }, Ct)).EnsureSuccessStatusCode();
        (await app.Users.DeleteAsync($"/v1/users/{id}", Ct)).EnsureSuccessStatusCode();

        var events = await app.WaitForExactlyAuditEventsAsync(id, 8, Ct);

        Assert.Equal(("unauthenticated", null), Actor(Single(events, "created.v1")));
        var failed = Single(events, "sign_in_failed.v1");
        Assert.Equal(("unauthenticated", null), Actor(failed));
        Assert.Equal("wrong_password", failed.GetProperty("data").GetProperty("reason").GetString());
        Assert.Equal(("app_user", id), Actor(Single(events, "signed_in.v1")));
        var renames = events.Where(e => e.GetProperty("type").GetString() == "org.useraudit.user.updated.v1").Select(Actor).ToList();
        Assert.Contains(("app_user", id), renames);
        Assert.Contains(("user", app.AdminId), renames);
        Assert.Equal(("app_user", id), Actor(Single(events, "password_changed.v1")));
        Assert.Equal(("app_user", id), Actor(Single(events, "tokens_revoked.v1")));
        Assert.Equal(("user", app.AdminId), Actor(Single(events, "deleted.v1")));
        // The admin's own sign-in (at the fixture's start) is an event of the admin's subject, not this user's.

        // The actor is a stored column: filter by it and count by it.
        var byUser = await app.Audit.GetFromJsonAsync<JsonElement>($"/v1/audit-events?authid={id}&subject={id}", Ct);
        Assert.Equal(4, byUser.GetProperty("items").GetArrayLength()); // signed in, renamed, password changed, tokens revoked
        Assert.All(byUser.GetProperty("items").EnumerateArray(), e => Assert.Equal(("app_user", id), Actor(e)));
        var counts = await app.Audit.GetFromJsonAsync<JsonElement>($"/v1/audit-events/counts?by=actor&subject={id}", Ct);
        var byActor = counts.EnumerateArray().ToDictionary(c => c.GetProperty("key").GetString()!, c => c.GetProperty("count").GetInt64());
        Assert.Equal(new Dictionary<string, long> { [$"app_user:{id}"] = 4, [$"user:{app.AdminId}"] = 2, ["unauthenticated"] = 2 }, byActor);
    }

    // A stolen token must not make guessing the password cheaper than signing in: the current
    // password a password change needs is checked under a sign-in's lockout.
    [Fact]
    public async Task Wrong_current_passwords_lock_the_account_and_a_stolen_token_cannot_change_it_while_locked()
    {
        const string password = "lockout-password-1";
        var id = await app.CreateUserAsync("Guessed", password, Ct);
        using var anonymous = app.AnonymousUsersClient();
        using var stolen = app.UsersClient(await app.SignInAsync(id, password, Ct));

        for (var i = 0; i < 5; i++)
        {
            using var guess = await stolen.PatchAsJsonAsync($"/v1/users/{id}", new { password = "attacker-password-1", currentPassword = "guess-" + i }, Ct);
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, guess.StatusCode);
        }

        using (var right = await stolen.PatchAsJsonAsync($"/v1/users/{id}", new { password = "attacker-password-1", currentPassword = password }, Ct))
        {
            Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, right.StatusCode);
            Assert.Equal("application/problem+json", right.Content.Headers.ContentType?.MediaType);
            Assert.True(right.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(14), $"Retry-After: {right.Headers.RetryAfter}");
        }

        using (var signIn = await anonymous.PostAsJsonAsync("/v1/sessions", new { userId = id, password }, Ct))
        {
            Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, signIn.StatusCode);
        }

        // created, signed in, five wrong guesses, locked out, and the two refusals while locked.
        var events = await app.WaitForExactlyAuditEventsAsync(id, 10, Ct);
        var reasons = events.Where(e => e.GetProperty("type").GetString() == "org.useraudit.user.sign_in_failed.v1")
            .Select(e => e.GetProperty("data").GetProperty("reason").GetString()).Order().ToList();
        Assert.Equal(["locked", "locked", "wrong_password", "wrong_password", "wrong_password", "wrong_password", "wrong_password"], reasons);
        Single(events, "locked_out.v1");
        Assert.DoesNotContain(events, e => e.GetProperty("type").GetString() == "org.useraudit.user.password_changed.v1");
    }

    [Fact]
    public async Task Failed_sign_ins_of_an_unknown_id_lock_it_out_and_say_why_without_the_password()
    {
        var unknown = Guid.CreateVersion7().ToString();
        using var anonymous = app.AnonymousUsersClient();
        for (var i = 0; i < 5; i++)
        {
            using var attempt = await anonymous.PostAsJsonAsync("/v1/sessions", new { userId = unknown, password = "guess-number-" + i }, Ct);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, attempt.StatusCode);
        }

        using var locked = await anonymous.PostAsJsonAsync("/v1/sessions", new { userId = unknown, password = "guess-number-5" }, Ct);
        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.NotNull(locked.Headers.RetryAfter);

        var events = await app.WaitForExactlyAuditEventsAsync(unknown, 7, Ct);
        var reasons = events.Where(e => e.GetProperty("type").GetString() == "org.useraudit.user.sign_in_failed.v1")
            .Select(e => e.GetProperty("data").GetProperty("reason").GetString()).Order().ToList();
        Assert.Equal(["locked", "unknown", "unknown", "unknown", "unknown", "unknown"], reasons);
        Assert.Single(events, e => e.GetProperty("type").GetString() == "org.useraudit.user.locked_out.v1");
        Assert.DoesNotContain(events, e => e.GetRawText().Contains("guess-number", StringComparison.Ordinal));
    }
}
