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

/// <summary>
/// Read keys and ingest keys: one of them required on every endpoint, one 401 for every missing or
/// wrong key, 403 for a right key of the wrong role.
/// </summary>
public sealed class AuditApiAuthenticationTests(UserAuditApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] ReadPaths =
    [
        "/v1/audit-events", "/v1/audit-events/by-id?source=urn:x&id=1", "/v1/audit-events/export?format=ndjson", "/v1/audit-events/counts?by=type",
        "/v1/audit-events/verify", "/v1/audit-events/checkpoints", "/v1/audit-events/checkpoints/public-key", "/v1/audit-events/conflicts",
        "/v1/audit-events/stream",
    ];

    public static TheoryData<string> ReadEndpoints => new(ReadPaths);

    public static TheoryData<string, string> ProtectedEndpoints
    {
        get
        {
            var all = new TheoryData<string, string> { { "POST", "/v1/cloudevents" } };
            foreach (var path in ReadPaths)
            {
                all.Add("GET", path);
            }

            return all;
        }
    }

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
    public async Task A_read_key_is_refused_on_ingest_with_a_403_problem_and_nothing_is_stored()
    {
        var events = new AuditApiEvents(app);
        var sent = events.Json("org.useraudit.tests.read-key-ingest.v1", AuditApiEvents.NewSubject(), AuditApiEvents.BaseTime);
        using var content = sent.ToHttpContent(CloudNative.CloudEvents.ContentMode.Structured, AuditApiEvents.Formatter);

        using var response = await app.Audit.PostAsync("/v1/cloudevents", content, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("ingest keys", (await response.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        using var stored = await app.Audit.GetAsync(events.Query("/v1/audit-events"), Ct);
        Assert.Empty(System.Text.Json.JsonDocument.Parse(await stored.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("items").EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(ReadEndpoints))]
    public async Task An_ingest_key_is_refused_on_every_read_endpoint_with_a_403_problem(string path)
    {
        using var response = await app.Ingest.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(app.IngestKey, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
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
    [InlineData("Auth:ReadKeys:a", null, "Auth:ReadKeys needs at least one key")]
    [InlineData("Auth:ReadKeys:short", "short-key", "Auth:ReadKeys:short must be at least 16")]
    [InlineData("Auth:IngestKeys:sender:Key", "sender-key-0123456789", "Auth:IngestKeys:sender:Sources must name at least one source")]
    public void AuditService_refuses_missing_short_or_ungranted_keys_naming_the_setting_never_the_key(string setting, string? key, string expected)
    {
        var settings = new Dictionary<string, string?>();
        if (key is not null)
        {
            settings[setting] = key;
            settings["Auth:ReadKeys:other"] = "another-read-key-0123456789";
        }

        using var services = Services(settings);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AuthOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        if (key is not null)
        {
            Assert.DoesNotContain(key, error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("*", "not everything")]
    [InlineData("urn:a*b", "only as its last character")]
    [InlineData("urn:useraudit:user-service", "grants a reserved source")]
    [InlineData("URN:USERAUDIT:USER-SERVICE", "grants a reserved source")]
    public void A_grant_of_everything_a_misplaced_star_or_a_reserved_source_is_refused_at_start(string grant, string expected)
    {
        using var services = Services(new()
        {
            ["Auth:ReadKeys:reader"] = "reader-key-0123456789",
            ["Auth:IngestKeys:sender:Key"] = "sender-key-0123456789",
            ["Auth:IngestKeys:sender:Sources:0"] = grant,
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AuthOptions>>().Value);

        Assert.Contains("Auth:IngestKeys:sender:Sources:0", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void One_key_configured_under_two_names_is_refused()
    {
        using var services = Services(new()
        {
            ["Auth:ReadKeys:reader"] = "the-same-key-0123456789",
            ["Auth:IngestKeys:sender:Key"] = "the-same-key-0123456789",
            ["Auth:IngestKeys:sender:Sources:0"] = "urn:a:*",
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AuthOptions>>().Value);

        Assert.Contains("every key must be distinct", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_verifier_finds_each_of_several_keys_with_its_role_and_nothing_else()
    {
        // Two read keys at once: the rotation of a reader's key without downtime.
        using var services = Services(new()
        {
            ["Auth:ReadKeys:current"] = "correct-horse-battery-staple",
            ["Auth:ReadKeys:next"] = "staple-battery-horse-correct",
            ["Auth:IngestKeys:billing:Key"] = "billing-sender-key-0123",
            ["Auth:IngestKeys:billing:Sources:0"] = "urn:billing:*",
        });
        var verifier = services.GetRequiredService<ApiKeyVerifier>();

        Assert.Equal(("current", AuditRole.Read), Describe(verifier.Find("correct-horse-battery-staple")));
        Assert.Equal(("next", AuditRole.Read), Describe(verifier.Find("staple-battery-horse-correct")));
        var billing = verifier.Find("billing-sender-key-0123");
        Assert.Equal(("billing", AuditRole.Ingest), Describe(billing));
        Assert.True(billing!.Sources.Allows("urn:billing:invoices"));
        Assert.False(billing.Sources.Allows("urn:billingx"));
        Assert.Null(verifier.Find("correct-horse-battery-stapl"));
        Assert.Null(verifier.Find("correct-horse-battery-staple "));
        Assert.Null(verifier.Find(""));

        static (string, AuditRole)? Describe(AuditCredential? credential) => credential is null ? null : (credential.Name, credential.Role);
    }

    [Theory]
    [InlineData("urn:useraudit:user-service", true)]
    [InlineData("URN:UserAudit:User-Service", true)]
    [InlineData("urn:useraudit:user%2Dservice", true)]
    [InlineData("urn:useraudit:user-service:shadow", true)]
    [InlineData("urn:useraudit:user-service/x", true)]
    [InlineData("urn:useraudit:user-service?x", true)]
    [InlineData("urn:useraudit:user-services", false)]
    [InlineData("urn:useraudit:user", false)]
    public void The_reserved_source_covers_what_a_reader_could_mistake_for_it(string source, bool reserved)
    {
        using var services = Services(new() { ["Auth:ReadKeys:reader"] = "reader-key-0123456789" });

        Assert.Equal(reserved, services.GetRequiredService<ReservedSources>().Covers(source));
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
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
