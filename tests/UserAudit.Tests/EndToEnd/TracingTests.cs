using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace UserAudit.Tests.EndToEnd;

/// <summary>One trace from the HTTP request to the audit row.</summary>
public sealed class TracingTests(UserAuditApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_stored_audit_event_carries_the_trace_id_of_the_request_that_caused_it()
    {
        var traceId = System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/users")
        {
            Content = JsonContent.Create(new { name = "Traced", password = "traced-password" }),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{System.Diagnostics.ActivitySpanId.CreateRandom().ToHexString()}-01");

        using var response = await app.Users.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;

        var stored = Assert.Single(await app.WaitForExactlyAuditEventsAsync(id, 1, Ct));
        var traceparent = stored.GetProperty("extensions").GetProperty("traceparent").GetString()!;
        Assert.Equal(traceId, traceparent.Split('-')[1]);
    }
}
