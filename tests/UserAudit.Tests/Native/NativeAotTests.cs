using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using UserAudit.CloudEvents;
using UserAudit.CloudEvents.Kafka;
using UserAudit.KafkaBroker.MockCluster;
using UserAudit.LoadTest.Benchmarks;
using UserAudit.ServiceDefaults.Kafka;
using UserAudit.Tests.Infrastructure;
using UserAudit.Tests.Ingestion;
using UserService.Events;
using Xunit;

namespace UserAudit.Tests.Native;

/// <summary>
/// The services published as NativeAOT (<c>dotnet publish -c Release -r linux-x64 src/UserService</c>, the
/// same for <c>src/AuditService</c>): what the compiler might have trimmed away or could not compile
/// ahead of time (JSON written by reflection, options bound or validated by reflection, librdkafka's
/// entry points, the OpenAPI document) is each reached once. <c>.ci/run</c> publishes both executables
/// and names them in <c>USERAUDIT_NATIVE_USER_SERVICE</c> and <c>USERAUDIT_NATIVE_AUDIT_SERVICE</c>;
/// without them the tests say so and are skipped.
/// </summary>
public sealed class NativeAotTests
{
    /// <summary>The environment variable naming UserService's published executable.</summary>
    public const string UserServiceVariable = "USERAUDIT_NATIVE_USER_SERVICE";

    /// <summary>The environment variable naming AuditService's published executable.</summary>
    public const string AuditServiceVariable = "USERAUDIT_NATIVE_AUDIT_SERVICE";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UserService_serves_every_kind_of_answer_and_publishes_each_change_once_as_a_CloudEvent()
    {
        var executable = Executable(UserServiceVariable, "UserService");
        using var kafka = MockKafkaCluster.Start();
        kafka.CreateTopic(AuditTopics.Audit, 3);
        var folder = Directory.CreateTempSubdirectory("useraudit-tests-native-");
        var adminId = Guid.CreateVersion7().ToString();
        var adminPassword = "admin-" + Guid.NewGuid().ToString("N");
        try
        {
            var settings = StandaloneSettings.UserService(kafka.Bootstraps, folder.FullName, adminId, adminPassword).AsEnvironment();
            await using (var service = await ServiceProcess.StartAsync("UserService (NativeAOT)", executable, settings, Ct))
            {
                using var client = new HttpClient { BaseAddress = service.Address };
                var userId = await ExerciseApiAsync(client, adminId, adminPassword);

                var events = await ReadEventsAsync(kafka.Bootstraps, userId, 3);
                Assert.Equal([UserEventTypes.Created, UserEventTypes.Updated, UserEventTypes.Deleted], events.Select(e => e.Type));
                Assert.All(events, e => Assert.Equal(adminId, e[AuthContextExtension.AuthId]));
                Assert.Equal(3, events.Select(e => e.Id).Distinct().Count());
                var renamed = Assert.IsType<JsonElement>(events[1].Data);
                Assert.Equal(2, renamed.GetProperty("version").GetInt64());
                Assert.Equal(["name"], renamed.GetProperty("changedFields").EnumerateArray().Select(f => f.GetString()));
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task AuditService_stores_from_Kafka_and_every_HTTP_mode_and_answers_every_read()
    {
        var executable = Executable(AuditServiceVariable, "AuditService");
        using var kafka = MockKafkaCluster.Start();
        kafka.CreateTopic(AuditTopics.Audit, 3);
        kafka.CreateTopic(AuditTopics.DeadLetter, 1);
        var folder = Directory.CreateTempSubdirectory("useraudit-tests-native-");
        const string readKey = "native-reader-key-0123456789";
        const string senderKey = "native-sender-key-0123456789";
        try
        {
            await using var service = await ServiceProcess.StartAsync("AuditService (NativeAOT)", executable, new Dictionary<string, string>
            {
                ["ConnectionStrings__kafka"] = kafka.Bootstraps,
                ["Storage__DataDirectory"] = folder.FullName,
                ["Integrity__CheckpointKey"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
                ["Integrity__CheckpointInterval"] = "00:00:01",
                ["Auth__ReadKeys__reader"] = readKey,
                ["Auth__IngestKeys__sender__Key"] = senderKey,
                ["Auth__IngestKeys__sender__Sources__0"] = "urn:example:native",
            }, Ct);
            using var client = new HttpClient { BaseAddress = service.Address };
            using (var topic = new AuditTopicClient(kafka.Bootstraps))
            {
                await topic.ProduceAsync(AuditTopicClient.NewEvent("native-subject", "from-kafka"), "native-subject", Ct);
            }

            await IngestOverHttpAsync(client, senderKey);
            client.DefaultRequestHeaders.Add("X-Api-Key", readKey);
            var stored = default(JsonElement);
            await Eventually.TrueAsync(async _ =>
            {
                stored = await client.GetFromJsonAsync<JsonElement>("/v1/audit-events?limit=10", Ct);
                return stored.GetProperty("items").GetArrayLength() == 5;
            }, "the five events stored", cancellationToken: Ct);
            // The HTTP events in the order sent; the Kafka one whenever the consumer had joined.
            var ids = stored.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
            Assert.Equal(["batch-2", "batch-1", "binary", "structured"], ids.Where(id => id != "from-kafka"));
            Assert.Contains("from-kafka", ids);
            var oldest = stored.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("position").GetInt64() == 1).GetProperty("id").GetString()!;

            var kafkaEvent = await client.GetFromJsonAsync<JsonElement>($"/v1/audit-events/by-id?source={Uri.EscapeDataString(AuditTopicClient.Source)}&id=from-kafka", Ct);
            Assert.Equal("native-subject", kafkaEvent.GetProperty("data").GetProperty("subject").GetString());
            Assert.Equal(AuditTopics.Audit, kafkaEvent.GetProperty("kafka").GetProperty("topic").GetString());
            var counts = await client.GetFromJsonAsync<JsonElement>("/v1/audit-events/counts?by=type", Ct);
            Assert.Equal(5, counts.EnumerateArray().Sum(c => c.GetProperty("count").GetInt64()));
            var export = await client.GetStringAsync("/v1/audit-events/export?format=ndjson", Ct);
            Assert.Equal(5, export.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            var verified = await client.GetFromJsonAsync<JsonElement>("/v1/audit-events/verify", Ct);
            Assert.True(verified.GetProperty("intact").GetBoolean());
            Assert.Equal(5, verified.GetProperty("rowsChecked").GetInt64());
            var checkpoint = default(JsonElement);
            await Eventually.TrueAsync(async _ =>
            {
                var page = await client.GetFromJsonAsync<JsonElement>("/v1/audit-events/checkpoints", Ct);
                checkpoint = page.GetProperty("items").EnumerateArray().FirstOrDefault(c => c.GetProperty("position").GetInt64() == 5);
                return checkpoint.ValueKind == JsonValueKind.Object;
            }, "a signed checkpoint of the five events", cancellationToken: Ct);
            Assert.False(string.IsNullOrEmpty(checkpoint.GetProperty("signature").GetString()));
            Assert.StartsWith("-----BEGIN PUBLIC KEY-----",
                (await client.GetFromJsonAsync<JsonElement>("/v1/audit-events/checkpoints/public-key", Ct)).GetProperty("publicKeyPem").GetString(), StringComparison.Ordinal);

            using (var bad = await client.GetAsync("/v1/audit-events?limit=abc", Ct))
            {
                Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
                Assert.Equal("limit", (await bad.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("parameter").GetString());
            }

            await AssertStreamResumesAsync(client, oldest);
            var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
            Assert.True(document.GetProperty("paths").TryGetProperty("/v1/audit-events/stream", out _));
            Assert.Equal("Healthy", await client.GetStringAsync("/health", Ct));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string Executable(string variable, string service)
    {
        var executable = Environment.GetEnvironmentVariable(variable);
        Assert.SkipWhen(string.IsNullOrEmpty(executable), $"{variable} is not set: publish {service} as NativeAOT and name the executable there (.ci/run does).");
        Assert.True(File.Exists(executable), $"{variable} names '{executable}', which does not exist.");
        return executable!;
    }

    // Structured, binary and batch mode, each stored; a malformed event and a wrong key refused.
    private static async Task IngestOverHttpAsync(HttpClient client, string ingestKey)
    {
        const string structured = """{"specversion":"1.0","id":"structured","source":"urn:example:native","type":"org.example.native.v1","data":{"n":1}}""";
        const string batch = """[{"specversion":"1.0","id":"batch-1","source":"urn:example:native","type":"org.example.native.v1"},"""
            + """{"specversion":"1.0","id":"batch-2","source":"urn:example:native","type":"org.example.native.v1"}]""";
        using var binary = new StringContent("""{"n":2}""", Encoding.UTF8, "application/json");
        foreach (var (name, value) in ((string, string)[])[("ce-specversion", "1.0"), ("ce-id", "binary"), ("ce-source", "urn:example:native"), ("ce-type", "org.example.native.v1")])
        {
            binary.Headers.Add(name, value);
        }

        foreach (var (content, stored) in ((HttpContent, int)[])[
            (new StringContent(structured, Encoding.UTF8, "application/cloudevents+json"), 1),
            (binary, 1),
            (new StringContent(batch, Encoding.UTF8, "application/cloudevents-batch+json"), 2)])
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/cloudevents") { Content = content, Headers = { { "X-Api-Key", ingestKey } } };
            using var response = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal(stored, (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("stored").GetInt32());
        }

        foreach (var (key, body, status) in ((string, string, HttpStatusCode)[])[
            (ingestKey, """{"specversion":"1.0" """, HttpStatusCode.BadRequest), ("not-the-key-0123456789", structured, HttpStatusCode.Unauthorized)])
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/cloudevents")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/cloudevents+json"),
                Headers = { { "X-Api-Key", key } },
            };
            using var refused = await client.SendAsync(request, Ct);
            Assert.Equal(status, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
    }

    // From Last-Event-ID 0 the stream replays what is stored, oldest first.
    private static async Task AssertStreamResumesAsync(HttpClient client, string oldest)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/audit-events/stream") { Headers = { { "Last-Event-ID", "0" } } };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        string? line;
        while ((line = await reader.ReadLineAsync(Ct)) is not null && !line.StartsWith("data:", StringComparison.Ordinal))
        {
        }

        Assert.NotNull(line);
        Assert.Equal(oldest, JsonDocument.Parse(line["data:".Length..]).RootElement.GetProperty("id").GetString());
    }

    // Sign in, create, read, rename, refuse two bad bodies, delete; the OpenAPI document and health.
    private static async Task<string> ExerciseApiAsync(HttpClient client, string adminId, string adminPassword)
    {
        using (var signIn = await client.PostAsJsonAsync("/v1/sessions", new { userId = adminId, password = adminPassword }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
            var token = (await signIn.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("accessToken").GetString();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        string id;
        using (var created = await client.PostAsJsonAsync("/v1/users", new { name = "Native Ada", password = "correct-horse-" + Guid.NewGuid().ToString("N") }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var body = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
            id = body.GetProperty("id").GetString()!;
            Assert.Equal("Native Ada", body.GetProperty("name").GetString());
            Assert.False(body.TryGetProperty("password", out _));
        }

        var read = await client.GetFromJsonAsync<JsonElement>($"/v1/users/{id}", Ct);
        Assert.Equal(1, read.GetProperty("version").GetInt64());
        using (var renamed = await client.PatchAsJsonAsync($"/v1/users/{id}", new { name = "Native Renamed" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
            Assert.Equal(2, (await renamed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("version").GetInt64());
        }

        foreach (var (json, detail) in ((string, string)[])[("{\"name\": 12}", "Wrong type"), ("{\"name\": \"x\", \"admin\": true}", "Unknown field")])
        {
            using var bad = await client.PatchAsync($"/v1/users/{id}", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
            Assert.Contains(detail, (await bad.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var deleted = await client.DeleteAsync($"/v1/users/{id}", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        Assert.True(document.GetProperty("paths").TryGetProperty("/v1/users/{id}", out _));
        Assert.Equal("Healthy", await client.GetStringAsync("/health", Ct));
        return id;
    }

    private static async Task<List<CloudEvent>> ReadEventsAsync(string bootstrapServers, string userId, int count)
    {
        using var consumer = TopicReader.FromStart(bootstrapServers, "native-test-");
        consumer.Subscribe(AuditTopics.Audit);
        var events = new List<CloudEvent>();
        await Eventually.TrueAsync(_ =>
        {
            while (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
            {
                var cloudEvent = result.Message.ToCloudEvent(CloudEventJson.Formatter, AuthContextExtension.AllAttributes);
                if (cloudEvent.Subject == userId)
                {
                    events.Add(cloudEvent);
                }
            }

            return Task.FromResult(events.Count >= count);
        }, $"the {count} events of {userId} on the audit topic", cancellationToken: Ct);
        consumer.Close();
        return events;
    }
}
