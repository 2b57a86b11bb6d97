using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using Confluent.Kafka;
using UserAudit.CloudEvents;
using UserAudit.CloudEvents.Kafka;
using UserAudit.KafkaBroker.MockCluster;
using UserAudit.LoadTest.Benchmarks;
using UserAudit.ServiceDefaults.Kafka;
using UserAudit.Tests.Infrastructure;
using UserService.Events;
using Xunit;

namespace UserAudit.Tests.Users;

/// <summary>
/// UserService published as NativeAOT (<c>dotnet publish -c Release -r linux-x64 src/UserService</c>):
/// what the compiler might have trimmed away or could not compile ahead of time (JSON written by
/// reflection, options bound or validated by reflection, librdkafka's entry points, the OpenAPI
/// document) is each reached once. <c>.ci/run</c> publishes the executable and names it in
/// <c>USERAUDIT_NATIVE_USER_SERVICE</c>; without it the test says so and is skipped.
/// </summary>
public sealed class NativeAotUserServiceTests
{
    /// <summary>The environment variable naming the published executable.</summary>
    public const string ExecutableVariable = "USERAUDIT_NATIVE_USER_SERVICE";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_native_executable_serves_every_kind_of_answer_and_publishes_each_change_once_as_a_CloudEvent()
    {
        var executable = Environment.GetEnvironmentVariable(ExecutableVariable);
        Assert.SkipWhen(string.IsNullOrEmpty(executable), $"{ExecutableVariable} is not set: publish UserService as NativeAOT and name the executable there (.ci/run does).");
        Assert.True(File.Exists(executable), $"{ExecutableVariable} names '{executable}', which does not exist.");

        using var kafka = MockKafkaCluster.Start();
        kafka.CreateTopic(AuditTopics.Audit, 3);
        var folder = Directory.CreateTempSubdirectory("useraudit-tests-native-");
        var adminId = Guid.CreateVersion7().ToString();
        var adminPassword = "admin-" + Guid.NewGuid().ToString("N");
        try
        {
            await using (var service = await ServiceProcess.StartAsync("UserService (NativeAOT)", executable!, new Dictionary<string, string>
            {
                ["ConnectionStrings__kafka"] = kafka.Bootstraps,
                ["Storage__DataDirectory"] = folder.FullName,
                ["Auth__SigningKey"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
                ["Idempotency__RequestHashKey"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
                ["Auth__BootstrapAdmin__Id"] = adminId,
                ["Auth__BootstrapAdmin__Password"] = adminPassword,
            }, Ct))
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
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "native-test-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
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
