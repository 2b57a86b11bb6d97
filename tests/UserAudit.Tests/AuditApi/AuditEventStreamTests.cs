using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using CloudNative.CloudEvents;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.AuditApi;

/// <summary>
/// <c>GET /v1/audit-events/stream</c>: server-sent events whose ids are store positions, so a client
/// that comes back with <c>Last-Event-ID</c> misses nothing; the query API's filters; its read key.
/// </summary>
public sealed class AuditEventStreamTests(UserAuditApp app)
{
    private const string Created = "org.useraudit.tests.created.v1";
    private const string Deleted = "org.useraudit.tests.deleted.v1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Resuming_with_Last_Event_ID_replays_every_missed_event_then_continues_live()
    {
        var events = new AuditApiEvents(app);
        var subject = AuditApiEvents.NewSubject();
        var sent = Enumerable.Range(0, 6).Select(i => events.Json(Created, subject, AuditApiEvents.BaseTime.AddMinutes(i))).ToArray();
        await events.StoreAsync(sent[..2], Ct);
        var firstPosition = (await PositionsAsync(events))[sent[0].Id!];
        var logLinesBefore = app.Logs.Count;

        long lastSeen;
        await using (var stream = await OpenAsync(events.Query("/v1/audit-events/stream"), firstPosition))
        {
            var replayed = await stream.NextAsync();
            await events.StoreAsync([sent[2]], Ct);
            var live = await stream.NextAsync();

            Assert.Equal([sent[1].Id, sent[2].Id], [Id(replayed), Id(live)]);
            lastSeen = long.Parse(live.EventId!, System.Globalization.CultureInfo.InvariantCulture);
        }

        // Stored while nobody listened: the next connection gets them first, in order, then live ones.
        await events.StoreAsync(sent[3..5], Ct);
        await using var resumed = await OpenAsync(events.Query("/v1/audit-events/stream"), lastSeen);
        var missed = new[] { await resumed.NextAsync(), await resumed.NextAsync() };
        await events.StoreAsync([sent[5]], Ct);
        var next = await resumed.NextAsync();

        Assert.Equal(sent[3..].Select(e => e.Id), missed.Append(next).Select(Id));
        var positions = await PositionsAsync(events);
        Assert.All(missed.Append(next), item => Assert.Equal(positions[Id(item)].ToString(System.Globalization.CultureInfo.InvariantCulture), item.EventId));
        // The client that went away ended its stream quietly.
        Assert.DoesNotContain(app.Logs.Skip(logLinesBefore), l => l.StartsWith("audit-service", StringComparison.Ordinal) && l.Contains("xception", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_stream_sends_only_events_matching_the_query_filters()
    {
        var events = new AuditApiEvents(app);
        var (user, other) = (AuditApiEvents.NewSubject(), AuditApiEvents.NewSubject());
        var byAdmin = WithActor(events.Json(Created, user, AuditApiEvents.BaseTime), "admin-1");
        var byUser = WithActor(events.Json(Created, user, AuditApiEvents.BaseTime), "user-1");
        await using var stream = await OpenAsync(events.Query("/v1/audit-events/stream") + $"&type={Created}&subject={user}&authid=admin-1", after: 0);

        var last = WithActor(events.Json(Created, user, AuditApiEvents.BaseTime), "admin-1");
        await events.StoreAsync(
            [WithActor(events.Json(Deleted, user, AuditApiEvents.BaseTime), "admin-1"), byUser, byAdmin,
             WithActor(events.Json(Created, other, AuditApiEvents.BaseTime), "admin-1"), last], Ct);

        // The stream is in store order: had any other event matched, it would come before the last one.
        Assert.Equal([byAdmin.Id, last.Id], [Id(await stream.NextAsync()), Id(await stream.NextAsync())]);
    }

    [Theory]
    [InlineData("from=yesterday", null, "from")]
    [InlineData("", "abc", "Last-Event-ID")]
    [InlineData("", "-1", "Last-Event-ID")]
    public async Task A_bad_filter_or_Last_Event_ID_is_a_400_problem_before_any_event(string query, string? lastEventId, string named)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/audit-events/stream?{query}");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var response = await app.Audit.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(named, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private static CloudEvent WithActor(CloudEvent cloudEvent, string authId)
    {
        cloudEvent[UserAudit.CloudEvents.AuthContextExtension.AuthType] = "user";
        cloudEvent[UserAudit.CloudEvents.AuthContextExtension.AuthId] = authId;
        return cloudEvent;
    }

    private static string Id(SseItem<string> item) => JsonDocument.Parse(item.Data).RootElement.GetProperty("id").GetString()!;

    private async Task<Dictionary<string, long>> PositionsAsync(AuditApiEvents events)
    {
        var page = await app.Audit.GetFromJsonAsync<JsonElement>(events.Query("/v1/audit-events") + "&limit=500", Ct);
        return page.GetProperty("items").EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("position").GetInt64());
    }

    private Task<LiveStream> OpenAsync(string path, long after) => LiveStream.OpenAsync(app.Audit, path, after, Ct);
}
