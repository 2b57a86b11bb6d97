using System.Net.Http.Json;
using System.Text;
using UserAudit.LoadTest.Benchmarks;
using UserAudit.ServiceDefaults.Kafka;
using UserAudit.Tests.EndToEnd;
using UserAudit.Tests.Infrastructure;
using Xunit;

namespace UserAudit.Tests.Users;

/// <summary>
/// A password must never appear in a response, an event, a log line, or the databases in clear;
/// an access token nowhere but in the answer that hands it out.
/// </summary>
public sealed class SecretLeakTests(UserAuditApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_distinctive_password_and_the_tokens_are_found_in_no_response_message_log_or_database_file()
    {
        var password = "Pw-" + Guid.NewGuid().ToString("N");
        var newPassword = "Pw-" + Guid.NewGuid().ToString("N");
        var responses = new StringBuilder();
        var tokenAnswers = new StringBuilder();

        using (var created = await app.Users.PostAsJsonAsync("/v1/users", new { name = "Secret Keeper", password }, Ct))
        {
            responses.Append(created.Headers).Append(await created.Content.ReadAsStringAsync(Ct));
        }

        var id = System.Text.Json.JsonDocument.Parse(responses.ToString()[responses.ToString().IndexOf('{', StringComparison.Ordinal)..]).RootElement.GetProperty("id").GetString()!;
        var token = await app.SignInAsync(id, password, Ct);
        string newToken;
        using (var self = app.UsersClient(token))
        using (var changed = await self.PatchAsJsonAsync($"/v1/users/{id}", new { password = newPassword, currentPassword = password }, Ct))
        {
            // The one answer allowed to carry a token: the new one, since the old ones ended.
            var body = await changed.Content.ReadAsStringAsync(Ct);
            tokenAnswers.Append(changed.Headers).Append(body);
            newToken = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("session").GetProperty("accessToken").GetString()!;
        }

        using (var tooShort = await app.Users.PatchAsJsonAsync($"/v1/users/{id}", new { password = password[..5] }, Ct))
        {
            responses.Append(await tooShort.Content.ReadAsStringAsync(Ct));
        }

        responses.Append(await app.Users.GetStringAsync($"/v1/users/{id}", Ct));
        responses.Append(await app.Users.GetStringAsync("/v1/users?limit=100", Ct));
        // created, signed_in, password_changed, tokens_revoked
        var events = await app.WaitForAuditEventsAsync(id, 4, Ct);
        responses.AppendJoin('\n', events.Select(e => e.GetRawText()));

        var kafka = await ReadAuditTopicAsync(id);
        // The logs are captured: wait until AuditService's line for this user's last event is in.
        await Eventually.TrueAsync(_ => Task.FromResult(app.Logs.Count(l => l.Contains(id, StringComparison.Ordinal)) >= 4), "the events' log lines", cancellationToken: Ct);
        var logs = string.Join('\n', app.Logs);

        foreach (var secret in (string[])[password, newPassword, token, newToken])
        {
            Assert.DoesNotContain(secret, responses.ToString(), StringComparison.Ordinal);
            if (secret == password || secret == newPassword)
            {
                Assert.DoesNotContain(secret, tokenAnswers.ToString(), StringComparison.Ordinal);
            }

            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
            Assert.False(Contains(kafka, Encoding.UTF8.GetBytes(secret)), "a Kafka message holds a secret");
            foreach (var file in Directory.EnumerateFiles(app.DataRoot, "*", SearchOption.AllDirectories))
            {
                var bytes = await ReadSharedAsync(file);
                Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(secret)), $"{file} holds a secret in UTF-8");
                Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(secret)), $"{file} holds a secret in UTF-16");
            }
        }
    }

    /// <summary>Every key, header and value on the audit topic, once the user's events are there.</summary>
    private async Task<byte[]> ReadAuditTopicAsync(string userId)
    {
        using var consumer = TopicReader.FromStart(app.KafkaBootstrapServers, "leak-test-");
        consumer.Subscribe(AuditTopics.Audit);
        var all = new MemoryStream();
        var seen = 0;
        await Eventually.TrueAsync(_ =>
        {
            while (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
            {
                foreach (var part in new[] { result.Message.Key, result.Message.Value }.Concat(result.Message.Headers.Select(h => h.GetValueBytes())))
                {
                    all.Write(part ?? []);
                }

                if (result.Message.Key is { } key && Encoding.UTF8.GetString(key) == userId)
                {
                    seen++;
                }
            }

            return Task.FromResult(seen >= 4);
        }, $"the events of {userId} on the audit topic");
        consumer.Close();
        return all.ToArray();
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Ct);
        return buffer.ToArray();
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
