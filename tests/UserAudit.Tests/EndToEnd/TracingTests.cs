using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace UserAudit.Tests.EndToEnd;

/// <summary>
/// One trace from the HTTP request to the audit row, started by the service: a caller on the
/// public API is not trusted with the trace (Tracing:TrustIncomingContext is off), so its
/// traceparent neither becomes the parent of the work nor reaches the stored event, and its
/// tracestate is stored nowhere. The caller's context survives as a link of the request's span
/// (ServiceEdgeTests shows the link).
/// </summary>
public sealed class TracingTests(UserAuditApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_untrusted_callers_trace_context_does_not_reach_the_stored_audit_event_but_a_trace_of_its_own_does()
    {
        var callerTrace = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/users")
        {
            Content = JsonContent.Create(new { name = "Traced", password = "traced-password" }),
        };
        request.Headers.Add("traceparent", $"00-{callerTrace}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        request.Headers.Add("tracestate", "caller=chosen-by-the-caller");

        using var response = await app.Users.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;

        var stored = Assert.Single(await app.WaitForExactlyAuditEventsAsync(id, 1, Ct));
        var extensions = stored.GetProperty("extensions");
        var traceparent = extensions.GetProperty("traceparent").GetString()!;
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", traceparent);
        Assert.NotEqual(callerTrace, traceparent.Split('-')[1]);
        Assert.False(extensions.TryGetProperty("tracestate", out _));
    }
}
