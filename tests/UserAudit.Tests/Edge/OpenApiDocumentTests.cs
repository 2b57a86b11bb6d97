using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.Testing;
using UserAudit.ServiceDefaults.OpenApi;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.Edge;

/// <summary>
/// Both services' OpenAPI documents, read from the running application, say what the services do:
/// the parameter names clients send, the credentials each operation needs, the errors each endpoint
/// answers; and the errors themselves are ProblemDetails carrying the request's trace id.
/// </summary>
public sealed class OpenApiDocumentTests(UserAuditApp app)
{
    private const string Problem = "application/problem+json";

    private static readonly string[] AnonymousUserOperations = ["post /v1/users", "post /v1/user", "post /v1/sessions", "get /v1/schemas/{file}"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Query_and_header_parameters_are_documented_by_the_names_clients_send()
    {
        var users = await DocumentAsync("user-service");
        var audit = await DocumentAsync("audit-service");

        foreach (var (document, operation) in Operations(users).Select(o => (users, o)).Concat(Operations(audit).Select(o => (audit, o))))
        {
            foreach (var name in Parameters(document, operation.Key, "query"))
            {
                Assert.True(!name.Any(char.IsUpper), $"{operation.Key}: query parameter '{name}' is not what clients send");
            }
        }

        // Every read of stored events takes the same filters, then its own parameters.
        string[] filters = ["type", "source", "subject", "from", "to", "authtype", "authid"];
        Assert.Equal([.. filters, "cursor", "limit"], Parameters(audit, "get /v1/audit-events", "query"));
        Assert.Equal([.. filters, "format"], Parameters(audit, "get /v1/audit-events/export", "query"));
        Assert.Equal([.. filters, "by", "limit"], Parameters(audit, "get /v1/audit-events/counts", "query"));
        Assert.Equal(filters, Parameters(audit, "get /v1/audit-events/stream", "query"));
        Assert.Equal(["Last-Event-ID"], Parameters(audit, "get /v1/audit-events/stream", "header"));
        Assert.Equal(["cursor", "limit"], Parameters(users, "get /v1/users", "query"));
        Assert.Equal(["Idempotency-Key"], Parameters(users, "post /v1/users", "header"));
        foreach (var write in (string[])["put", "patch", "delete"])
        {
            Assert.Equal(["If-Match"], Parameters(users, $"{write} /v1/users/{{id}}", "header"));
        }
    }

    [Fact]
    public async Task Every_operation_and_parameter_says_what_it_is()
    {
        foreach (var service in (string[])["user-service", "audit-service"])
        {
            foreach (var (key, operation) in Operations(await DocumentAsync(service)))
            {
                Assert.False(string.IsNullOrWhiteSpace(operation.TryGetProperty("summary", out var summary) ? summary.GetString() : null), $"{service}: {key} has no summary");
                var parameters = operation.TryGetProperty("parameters", out var list) ? list.EnumerateArray().ToList() : [];
                Assert.All(parameters, p => Assert.False(string.IsNullOrWhiteSpace(p.TryGetProperty("description", out var d) ? d.GetString() : null),
                    $"{service}: {key}: parameter '{Text(p, "name")}' has no description"));
            }
        }
    }

    [Fact]
    public async Task The_documented_names_are_the_ones_the_services_read()
    {
        var documented = Parameters(await DocumentAsync("audit-service"), "get /v1/audit-events", "query").Order();

        // Each documented filter, alone, is read: a value nobody has leaves nothing, where the unfiltered list is not empty.
        var unfiltered = await app.Audit.GetFromJsonAsync<JsonElement>("/v1/audit-events?limit=1", Ct);
        var filtered = new Dictionary<string, int>();
        foreach (var filter in (string[])["type", "source", "subject", "authtype", "authid"])
        {
            var page = await app.Audit.GetFromJsonAsync<JsonElement>($"/v1/audit-events?{filter}=nobody-{Guid.NewGuid():N}&limit=1", Ct);
            filtered[filter] = page.GetProperty("items").GetArrayLength();
        }

        using var badLimit = await app.Audit.GetAsync("/v1/audit-events?limit=0", Ct);

        Assert.Equal(["authid", "authtype", "cursor", "from", "limit", "source", "subject", "to", "type"], documented);
        Assert.Equal(1, unfiltered.GetProperty("items").GetArrayLength());
        Assert.All(filtered, f => Assert.True(f.Value == 0, $"the filter {f.Key} was not read"));
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.Equal("limit", (await badLimit.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task UserService_declares_its_bearer_token_on_every_operation_that_needs_one_and_on_no_other()
    {
        var users = await DocumentAsync("user-service");

        var scheme = users.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal(("http", "bearer", "JWT"), (Text(scheme, "type"), Text(scheme, "scheme"), Text(scheme, "bearerFormat")));
        foreach (var operation in Operations(users))
        {
            var requirements = Security(operation.Value);
            if (AnonymousUserOperations.Contains(operation.Key))
            {
                Assert.True(requirements.Count == 0, $"{operation.Key} is open to anyone but documented as needing a token");
                // Only a failed sign-in is a 401 there: registration ignores a bad token, and schemas are public.
                Assert.Equal(operation.Key == "post /v1/sessions", operation.Value.GetProperty("responses").TryGetProperty("401", out _));
            }
            else
            {
                Assert.Equal([("Bearer", "")], requirements);
            }
        }
    }

    [Fact]
    public async Task AuditService_declares_both_ways_to_send_a_key_and_the_role_each_operation_needs()
    {
        var audit = await DocumentAsync("audit-service");

        var schemes = audit.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal(("http", "bearer"), (Text(schemes.GetProperty("Bearer"), "type"), Text(schemes.GetProperty("Bearer"), "scheme")));
        var apiKey = schemes.GetProperty("ApiKey");
        Assert.Equal(("apiKey", "header", "X-Api-Key"), (Text(apiKey, "type"), Text(apiKey, "in"), Text(apiKey, "name")));
        foreach (var operation in Operations(audit))
        {
            var role = operation.Key == "post /v1/cloudevents" ? "Ingest" : "Read";
            Assert.Equal([("Bearer", role), ("ApiKey", role)], Security(operation.Value));
        }
    }

    [Fact]
    public async Task Every_operation_documented_as_needing_a_credential_answers_401_without_one()
    {
        foreach (var service in (string[])["user-service", "audit-service"])
        {
            using var anonymous = app.App.CreateHttpClient(service);
            foreach (var operation in Operations(await DocumentAsync(service)).Where(o => Security(o.Value).Count > 0))
            {
                var (method, path) = (operation.Key.Split(' ')[0], operation.Key.Split(' ')[1]);
                using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()),
                    path.Replace("{id}", Guid.CreateVersion7().ToString(), StringComparison.Ordinal).Replace("{number}", "1", StringComparison.Ordinal));
                using var response = await anonymous.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);

                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{service} {operation.Key} answered {(int)response.StatusCode} without a credential");
                Assert.True(operation.Value.GetProperty("responses").TryGetProperty("401", out _), $"{service} {operation.Key} does not document its 401");
            }
        }
    }

    [Theory]
    [InlineData("user-service", "post /v1/users", new[] { 201, 400, 409, 413, 415, 429, 503 })]
    [InlineData("user-service", "post /v1/user", new[] { 201, 400, 409, 413, 415, 429, 503 })]
    [InlineData("user-service", "post /v1/sessions", new[] { 200, 400, 401, 413, 415, 429, 503 })]
    [InlineData("user-service", "get /v1/users", new[] { 200, 400, 401, 403 })]
    [InlineData("user-service", "get /v1/users/{id}", new[] { 200, 400, 401, 403, 404 })]
    [InlineData("user-service", "put /v1/users/{id}", new[] { 200, 400, 401, 403, 404, 412, 413, 415, 429, 503 })]
    [InlineData("user-service", "patch /v1/users/{id}", new[] { 200, 400, 401, 403, 404, 412, 413, 415, 429, 503 })]
    [InlineData("user-service", "delete /v1/users/{id}", new[] { 204, 400, 401, 403, 404, 412, 503 })]
    [InlineData("user-service", "get /v1/schemas/{file}", new[] { 200, 404 })]
    [InlineData("audit-service", "get /v1/audit-events", new[] { 200, 400, 401, 403, 503 })]
    [InlineData("audit-service", "get /v1/audit-events/by-id", new[] { 200, 400, 401, 403, 404, 503 })]
    [InlineData("audit-service", "get /v1/audit-events/export", new[] { 200, 400, 401, 403, 503 })]
    [InlineData("audit-service", "get /v1/audit-events/counts", new[] { 200, 400, 401, 403, 503 })]
    [InlineData("audit-service", "get /v1/audit-events/stream", new[] { 200, 400, 401, 403, 503 })]
    [InlineData("audit-service", "get /v1/audit-events/checkpoints/{number}", new[] { 200, 401, 403, 404, 503 })]
    [InlineData("audit-service", "get /v1/audit-events/verify", new[] { 200, 400, 401, 403, 503 })]
    [InlineData("audit-service", "get /v1/audit-events/conflicts", new[] { 200, 400, 401, 403, 503 })]
    [InlineData("audit-service", "post /v1/cloudevents", new[] { 202, 400, 401, 403, 413, 415, 503 })]
    public async Task Each_endpoint_documents_the_answers_it_gives_and_its_errors_as_problem_details(string service, string operation, int[] statuses)
    {
        var document = await DocumentAsync(service);

        var responses = Operations(document).Single(o => o.Key == operation).Value.GetProperty("responses");

        Assert.Equal(statuses.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)), responses.EnumerateObject().Select(r => r.Name).Order());
        foreach (var error in responses.EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
        {
            var content = error.Value.GetProperty("content");
            Assert.Equal([Problem], content.EnumerateObject().Select(c => c.Name));
            Assert.EndsWith("ProblemDetails", Text(content.GetProperty(Problem).GetProperty("schema"), "$ref"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Real_errors_are_problem_details_with_the_requests_trace_id()
    {
        using var anonymousUsers = app.AnonymousUsersClient();
        using var anonymousAudit = app.App.CreateHttpClient("audit-service");
        using var validation = new StringContent("""{"name": " ", "password": "short"}""", Encoding.UTF8, "application/json");
        // A JSON event labelled as another format: once stored as if JSON had been meant.
        using var xmlEvent = new StringContent(
            $$"""{"specversion": "1.0", "id": "{{Guid.NewGuid()}}", "source": "{{UserAuditApp.TestSources}}openapi", "type": "org.example.test"}""", Encoding.UTF8);
        xmlEvent.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+xml");

        (HttpStatusCode Status, HttpResponseMessage Response)[] answers =
        [
            (HttpStatusCode.Unauthorized, await anonymousUsers.GetAsync($"/v1/users/{app.AdminId}", Ct)),
            (HttpStatusCode.Unauthorized, await anonymousAudit.GetAsync("/v1/audit-events", Ct)),
            (HttpStatusCode.Forbidden, await app.Ingest.GetAsync("/v1/audit-events", Ct)),
            (HttpStatusCode.NotFound, await app.Users.GetAsync("/v1/no-such-route", Ct)),
            (HttpStatusCode.NotFound, await app.Audit.GetAsync("/v1/audit-events/no/such/route", Ct)),
            (HttpStatusCode.MethodNotAllowed, await app.Users.DeleteAsync("/v1/sessions", Ct)),
            (HttpStatusCode.UnsupportedMediaType, await anonymousUsers.PostAsync("/v1/users", new StringContent("name=Ada", Encoding.UTF8, "text/plain"), Ct)),
            (HttpStatusCode.UnsupportedMediaType, await app.Ingest.PostAsync("/v1/cloudevents", xmlEvent, Ct)),
            (HttpStatusCode.BadRequest, await app.Users.PostAsync("/v1/users", validation, Ct)),
            (HttpStatusCode.BadRequest, await app.Audit.GetAsync("/v1/audit-events?from=yesterday", Ct)),
        ];

        foreach (var (status, response) in answers)
        {
            using (response)
            {
                var what = $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri!.AbsolutePath}";
                Assert.True(status == response.StatusCode, $"{what} answered {(int)response.StatusCode}, not {(int)status}");
                Assert.True(response.Content.Headers.ContentType?.MediaType == Problem, $"{what}: {response.Content.Headers.ContentType}");
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
                Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
                Assert.False(string.IsNullOrEmpty(Text(problem, "type")), $"{what}: no type");
                Assert.False(string.IsNullOrEmpty(Text(problem, "title")), $"{what}: no title");
                Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$", Text(problem, "traceId"));
                if (status == HttpStatusCode.BadRequest && what.StartsWith("POST /v1/users", StringComparison.Ordinal))
                {
                    Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
                }
            }
        }
    }

    private async Task<JsonElement> DocumentAsync(string service)
    {
        using var client = app.App.CreateHttpClient(service);
        return await client.GetFromJsonAsync<JsonElement>(ServiceOpenApi.DocumentPath, Ct);
    }

    /// <summary>Every operation of a document, keyed "method path".</summary>
    private static IEnumerable<KeyValuePair<string, JsonElement>> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject().SelectMany(path =>
            path.Value.EnumerateObject().Select(operation => KeyValuePair.Create($"{operation.Name} {path.Name}", operation.Value)));

    private static List<string> Parameters(JsonElement document, string operation, string location) =>
        Operations(document).Single(o => o.Key == operation).Value.TryGetProperty("parameters", out var parameters)
            ? [.. parameters.EnumerateArray().Where(p => Text(p, "in") == location).Select(p => Text(p, "name"))]
            : [];

    /// <summary>The alternatives of an operation's security: each requirement's scheme and its roles, joined.</summary>
    private static List<(string Scheme, string Roles)> Security(JsonElement operation) =>
        operation.TryGetProperty("security", out var security)
            ? [.. security.EnumerateArray().SelectMany(r => r.EnumerateObject().Select(s => (s.Name, string.Join(',', s.Value.EnumerateArray().Select(v => v.GetString())))))]
            : [];

    private static string Text(JsonElement element, string property) => element.GetProperty(property).GetString() ?? "";
}
