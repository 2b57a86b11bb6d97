using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.Sessions;

/// <summary>
/// Every caller against every users endpoint, with the expected answer of each in one table:
/// users act on themselves, administrators on everyone, and every bad or dead token gets the same
/// 401. Another user's id gets 403 whether or not it exists.
/// </summary>
public sealed class AuthorizationMatrixTests(UserAuditApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // caller → expected status of: list, get, patch, put, delete (on the target user).
    private static readonly (string Caller, int List, int Get, int Patch, int Put, int Delete)[] Expected =
    [
        ("anonymous", 401, 401, 401, 401, 401),
        ("the user itself", 403, 200, 200, 200, 204),
        ("another user", 403, 403, 403, 403, 403),
        ("an administrator", 200, 200, 200, 200, 204),
        ("an expired token", 401, 401, 401, 401, 401),
        ("a tampered token", 401, 401, 401, 401, 401),
        ("alg: none", 401, 401, 401, 401, 401),
        ("a token signed with another key", 401, 401, 401, 401, 401),
        ("a deleted user's token", 401, 401, 401, 401, 401),
        ("a token from before a password change", 401, 401, 401, 401, 401),
    ];

    [Fact]
    public async Task Every_caller_gets_the_answer_of_the_table_on_every_users_endpoint()
    {
        var failures = new List<string>();
        foreach (var row in Expected)
        {
            // Each row has users of its own: its deletes and password changes touch nothing else.
            var (target, targetPassword) = await NewUserAsync();
            var token = await TokenForAsync(row.Caller, target, targetPassword);
            string[] endpoints = ["list", "get", "patch", "put", "delete"];
            int[] expected = [row.List, row.Get, row.Patch, row.Put, row.Delete];
            for (var i = 0; i < endpoints.Length; i++)
            {
                var status = await SendAsync(endpoints[i], target, token);
                if (status != expected[i])
                {
                    failures.Add($"{row.Caller} / {endpoints[i]}: expected {expected[i]}, got {status}");
                }
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task Another_users_id_is_forbidden_whether_or_not_it_exists_and_only_an_administrator_sees_it_missing()
    {
        var (caller, password) = await NewUserAsync();
        var token = await app.SignInAsync(caller, password, Ct);
        var (existing, _) = await NewUserAsync();
        var missing = Guid.CreateVersion7().ToString();

        Assert.Equal(403, await SendAsync("get", existing, token));
        Assert.Equal(403, await SendAsync("get", missing, token));
        Assert.Equal(404, await SendAsync("get", missing, app.AdminToken));
    }

    [Fact]
    public async Task Unauthorized_and_forbidden_answers_are_problem_details()
    {
        using var anonymous = app.AnonymousUsersClient();
        using var unauthorized = await anonymous.GetAsync("/v1/users", Ct);
        var (caller, password) = await NewUserAsync();
        using var signedIn = app.UsersClient(await app.SignInAsync(caller, password, Ct));
        using var forbidden = await signedIn.GetAsync("/v1/users", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal("application/problem+json", unauthorized.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", unauthorized.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType?.MediaType);
    }

    private async Task<string?> TokenForAsync(string caller, string target, string targetPassword)
    {
        var now = DateTimeOffset.UtcNow;
        switch (caller)
        {
            case "anonymous":
                return null;
            case "the user itself":
                return await app.SignInAsync(target, targetPassword, Ct);
            case "another user":
                var (other, otherPassword) = await NewUserAsync();
                return await app.SignInAsync(other, otherPassword, Ct);
            case "an administrator":
                return app.AdminToken;
            case "an expired token":
                return ForgedTokens.Signed(app.TokenSigningKey, target, now.AddMinutes(-30), now.AddMinutes(-15));
            case "a tampered token":
                var (mine, minePassword) = await NewUserAsync();
                return ForgedTokens.Tampered(await app.SignInAsync(mine, minePassword, Ct), target);
            case "alg: none":
                return ForgedTokens.Unsigned(ForgedTokens.Signed(app.TokenSigningKey, target, now, now.AddMinutes(10)));
            case "a token signed with another key":
                return ForgedTokens.Signed(Convert.ToHexString(RandomNumberGenerator.GetBytes(32)), target, now, now.AddMinutes(10), role: "admin");
            case "a deleted user's token":
                var (deleted, deletedPassword) = await NewUserAsync();
                var dead = await app.SignInAsync(deleted, deletedPassword, Ct);
                (await app.Users.DeleteAsync($"/v1/users/{deleted}", Ct)).EnsureSuccessStatusCode();
                return dead;
            default:
                var stale = await app.SignInAsync(target, targetPassword, Ct);
                using (var fresh = app.UsersClient(await app.SignInAsync(target, targetPassword, Ct)))
                {
                    using var changed = await fresh.PatchAsJsonAsync($"/v1/users/{target}", new { password = "changed-password-9", currentPassword = targetPassword }, Ct);
                    changed.EnsureSuccessStatusCode();
                }

                return stale;
        }
    }

    private async Task<int> SendAsync(string endpoint, string target, string? token)
    {
        using var request = endpoint switch
        {
            "list" => new HttpRequestMessage(HttpMethod.Get, "/v1/users"),
            "get" => new HttpRequestMessage(HttpMethod.Get, $"/v1/users/{target}"),
            "patch" => new HttpRequestMessage(HttpMethod.Patch, $"/v1/users/{target}") { Content = Json("""{"name": "Matrix Patched"}""") },
            "put" => new HttpRequestMessage(HttpMethod.Put, $"/v1/users/{target}") { Content = Json("""{"name": "Matrix Put"}""") },
            _ => new HttpRequestMessage(HttpMethod.Delete, $"/v1/users/{target}"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var client = app.AnonymousUsersClient();
        using var response = await client.SendAsync(request, Ct);
        return (int)response.StatusCode;
    }

    private async Task<(string Id, string Password)> NewUserAsync()
    {
        var password = "matrix-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
        return (await app.CreateUserAsync("Matrix", password, Ct), password);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
