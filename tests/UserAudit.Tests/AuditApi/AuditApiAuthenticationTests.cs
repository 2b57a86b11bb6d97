using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using AuditService.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UserAudit.CloudEvents.Http;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.AuditApi;

/// <summary>The API key: required on query, export, counts and ingest; one answer for every failure.</summary>
public sealed class AuditApiAuthenticationTests(UserAuditApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> ProtectedEndpoints => new()
    {
        { "GET", "/v1/audit-events" },
        { "GET", "/v1/audit-events/by-id?source=urn:x&id=1" },
        { "GET", "/v1/audit-events/export?format=ndjson" },
        { "GET", "/v1/audit-events/counts?by=type" },
        { "POST", "/v1/cloudevents" },
    };

    [Theory]
    [MemberData(nameof(ProtectedEndpoints))]
    public async Task A_missing_and_a_wrong_key_get_the_same_401_problem(string method, string path)
    {
        using var anonymous = app.App.CreateHttpClient("audit-service");

        var missing = await SendAsync(anonymous, method, path, null);
        var wrongBearer = await SendAsync(anonymous, method, path, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-key-but-long-enough"));
        var wrongHeader = await SendAsync(anonymous, method, path, r => r.Headers.Add(ApiKeyAuthentication.HeaderName, app.AuditApiKey + "x"));

        foreach (var answer in (Answer[])[missing, wrongBearer, wrongHeader])
        {
            Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
            Assert.Equal("application/problem+json", answer.MediaType);
            Assert.StartsWith("Bearer", answer.WwwAuthenticate, StringComparison.Ordinal);
            Assert.DoesNotContain(app.AuditApiKey, answer.Body, StringComparison.Ordinal);
        }

        Assert.Equal(missing.Body, wrongBearer.Body);
        Assert.Equal(missing.Body, wrongHeader.Body);
    }

    [Fact]
    public async Task The_key_is_accepted_as_a_bearer_token_or_in_the_x_api_key_header()
    {
        using var client = app.App.CreateHttpClient("audit-service");

        var bearer = await SendAsync(client, "GET", "/v1/audit-events?limit=1", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", app.AuditApiKey));
        var header = await SendAsync(client, "GET", "/v1/audit-events?limit=1", r => r.Headers.Add(ApiKeyAuthentication.HeaderName, app.AuditApiKey));

        Assert.Equal(HttpStatusCode.OK, bearer.Status);
        Assert.Equal(HttpStatusCode.OK, header.Status);
    }

    [Fact]
    public async Task Health_endpoints_stay_open()
    {
        using var client = app.App.CreateHttpClient("audit-service");

        using var health = await client.GetAsync("/health", Ct);
        using var alive = await client.GetAsync("/alive", Ct);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Theory]
    [InlineData(null, "Auth:ApiKey is required")]
    [InlineData("short-key", "Auth:ApiKey must be at least 16")]
    public void AuditService_refuses_a_missing_or_short_key_naming_the_setting(string? key, string expected)
    {
        using var services = Services(key);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AuthOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        if (key is not null)
        {
            Assert.DoesNotContain(key, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_verifier_accepts_only_the_configured_key()
    {
        using var services = Services("correct-horse-battery-staple");
        var verifier = services.GetRequiredService<ApiKeyVerifier>();

        Assert.True(verifier.Verify("correct-horse-battery-staple"));
        Assert.False(verifier.Verify("correct-horse-battery-stapl"));
        Assert.False(verifier.Verify("correct-horse-battery-staple "));
        Assert.False(verifier.Verify(""));
    }

    private static ServiceProvider Services(string? key)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(key is null ? [] : [new KeyValuePair<string, string?>("Auth:ApiKey", key)])
            .Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddApiKeyAuthentication();
        return services.BuildServiceProvider();
    }

    private async Task<Answer> SendAsync(HttpClient client, string method, string path, Action<HttpRequestMessage>? configure)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            var events = new AuditApiEvents(app);
            request.Content = events.Json("org.useraudit.tests.unauthorized.v1", AuditApiEvents.NewSubject(), AuditApiEvents.BaseTime)
                .ToHttpContent(CloudNative.CloudEvents.ContentMode.Structured, AuditApiEvents.Formatter);
        }

        configure?.Invoke(request);
        using var response = await client.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            // The trace id differs per request by design; everything else must be identical.
            var node = JsonNode.Parse(body)!.AsObject();
            node.Remove("traceId");
            body = node.ToJsonString();
        }

        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType,
            response.Headers.WwwAuthenticate.ToString(), body);
    }

    private sealed record Answer(HttpStatusCode Status, string? MediaType, string WwwAuthenticate, string Body);
}
