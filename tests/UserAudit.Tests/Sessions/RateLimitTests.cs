using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace UserAudit.Tests.Sessions;

/// <summary>What stops a flood: per-address limits on sign-in and open registration, and the password-hashing gate.</summary>
public sealed class RateLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Sign_ins_from_one_address_beyond_its_rate_get_429_with_retry_after()
    {
        await using var host = new UserServiceHost(("Auth:SignInsPerAddressPerMinute", "3"));
        using var client = host.CreateClient();

        // Invalid bodies count too: the limit is on attempts, before any password is checked.
        for (var i = 0; i < 3; i++)
        {
            using var attempt = await client.PostAsync("/v1/sessions", Json("{}"), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, attempt.StatusCode);
        }

        using var refused = await client.PostAsync("/v1/sessions", Json("{}"), Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Open_registration_is_limited_per_address_but_administrators_are_not()
    {
        await using var host = new UserServiceHost(("Auth:RegistrationsPerAddressPerMinute", "2"));
        using var anonymous = host.CreateClient();
        using var admin = host.CreateClient();
        using var signIn = await anonymous.PostAsJsonAsync("/v1/sessions", new { userId = host.AdminId, password = host.AdminPassword }, Ct);
        var token = (await signIn.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("accessToken").GetString();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var anonymousAnswers = new List<HttpStatusCode>();
        var adminAnswers = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var byAnyone = await anonymous.PostAsync("/v1/users", Json("""{"name": ""}"""), Ct);
            anonymousAnswers.Add(byAnyone.StatusCode);
            using var byAdmin = await admin.PostAsync("/v1/users", Json("""{"name": ""}"""), Ct);
            adminAnswers.Add(byAdmin.StatusCode);
        }

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests], anonymousAnswers);
        Assert.All(adminAnswers, status => Assert.Equal(HttpStatusCode.BadRequest, status));
    }

    [Fact]
    public async Task Password_hashes_beyond_the_gate_are_refused_with_503_and_retry_after()
    {
        await using var host = new UserServiceHost(("Passwords:MaxConcurrentHashes", "1"), ("Passwords:MaxQueuedHashes", "0"));
        using var client = host.CreateClient();

        // Four registrations at once: one hashes, the others find the gate full.
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
        {
            using var response = await client.PostAsync("/v1/users", Json($$"""{"name": "Flood {{i}}", "password": "flood-password-{{i}}"}"""), Ct);
            return (response.StatusCode, response.Headers.RetryAfter?.Delta, response.Content.Headers.ContentType?.MediaType);
        }));

        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.Created);
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.ServiceUnavailable);
        var busy = answers.First(a => a.StatusCode == HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(1), busy.Delta);
        Assert.Equal("application/problem+json", busy.MediaType);
    }
}
