using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AuditService.Ingestion;
using CloudNative.CloudEvents;
using UserAudit.CloudEvents.Http;
using UserAudit.Tests.AuditApi;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.Ingestion;

/// <summary>
/// Who may write history over HTTP: an ingest key writes only the sources it is granted, never
/// UserService's (whatever it looks like), at most a capped batch at a time; a copy that differs
/// from a stored event is recorded as a conflict and the stored event stays.
/// </summary>
public sealed class HttpIngestAuthorizationTests(UserAuditApp app)
{
    private const string Type = "org.useraudit.user.deleted.v1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("urn:useraudit:user-service", "reserved-source")]
    [InlineData("URN:UserAudit:User-Service", "reserved-source")]
    [InlineData("urn:useraudit:user%2Dservice", "reserved-source")]
    [InlineData("urn:useraudit:user-service:shadow", "reserved-source")]
    [InlineData("urn:billing:invoices", "source-not-granted")]
    public async Task A_forged_or_ungranted_source_is_refused_with_403_and_nothing_of_the_batch_is_stored(string source, string reason)
    {
        var events = new AuditApiEvents(app);
        var granted = events.Json(Type, AuditApiEvents.NewSubject(), AuditApiEvents.BaseTime);
        var forged = events.Json(Type, AuditApiEvents.NewSubject(), AuditApiEvents.BaseTime);
        forged.Source = new Uri(source, UriKind.RelativeOrAbsolute);

        using var response = await app.Ingest.PostAsync("/v1/cloudevents", new[] { granted, forged }.ToHttpBatchContent(AuditApiEvents.Formatter), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(reason, problem.GetProperty("reason").GetString());
        foreach (var cloudEvent in new[] { granted, forged })
        {
            using var stored = await app.Audit.GetAsync(
                $"/v1/audit-events/by-id?source={Uri.EscapeDataString(cloudEvent.Source!.OriginalString)}&id={cloudEvent.Id}", Ct);
            Assert.Equal(HttpStatusCode.NotFound, stored.StatusCode);
        }
    }

    [Fact]
    public async Task A_granted_source_is_stored_with_the_name_of_the_key_that_sent_it()
    {
        var events = new AuditApiEvents(app);
        var sent = events.Json(Type, AuditApiEvents.NewSubject(), AuditApiEvents.BaseTime);

        await events.StoreAsync([sent], Ct);

        var stored = await app.Audit.GetFromJsonAsync<JsonElement>($"/v1/audit-events/by-id?source={Uri.EscapeDataString(events.Source)}&id={sent.Id}", Ct);
        Assert.Equal("tests", stored.GetProperty("ingestedBy").GetString());
        Assert.True(stored.GetProperty("position").GetInt64() > 0);
    }

    [Fact]
    public async Task A_batch_over_the_event_cap_gets_413_and_one_at_the_cap_is_stored()
    {
        var events = new AuditApiEvents(app);
        var subject = AuditApiEvents.NewSubject();
        var atCap = Enumerable.Range(0, IngestionOptions.DefaultMaxBatchEvents).Select(_ => events.Json(Type, subject, AuditApiEvents.BaseTime)).ToList();
        var overCap = Enumerable.Range(0, IngestionOptions.DefaultMaxBatchEvents + 1).Select(_ => events.Json(Type, subject, AuditApiEvents.BaseTime)).ToList();

        using var over = await app.Ingest.PostAsync("/v1/cloudevents", overCap.ToHttpBatchContent(AuditApiEvents.Formatter), Ct);
        using var at = await app.Ingest.PostAsync("/v1/cloudevents", atCap.ToHttpBatchContent(AuditApiEvents.Formatter), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Equal("application/problem+json", over.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Accepted, at.StatusCode);
        var counts = await app.Audit.GetFromJsonAsync<JsonElement>(events.Query("/v1/audit-events/counts"), Ct);
        Assert.Equal(IngestionOptions.DefaultMaxBatchEvents, Assert.Single(counts.EnumerateArray()).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task A_differing_copy_over_http_is_recorded_as_a_conflict_and_the_stored_event_stays()
    {
        var events = new AuditApiEvents(app);
        var original = events.Json(Type, AuditApiEvents.NewSubject(), AuditApiEvents.BaseTime);
        await events.StoreAsync([original], Ct);
        var copy = events.Json(Type, original.Subject!, AuditApiEvents.BaseTime);
        copy.Id = original.Id;
        copy.Data = JsonDocument.Parse("""{"forged":true}""").RootElement.Clone();

        using var response = await app.Ingest.PostAsync("/v1/cloudevents", copy.ToHttpContent(ContentMode.Structured, AuditApiEvents.Formatter), Ct);
        using var again = await app.Ingest.PostAsync("/v1/cloudevents", original.ToHttpContent(ContentMode.Binary, AuditApiEvents.Formatter), Ct);

        var result = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal((1, 0, 0), (result.GetProperty("conflicts").GetInt32(), result.GetProperty("stored").GetInt32(), result.GetProperty("duplicates").GetInt32()));
        Assert.Equal(1, (await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("duplicates").GetInt32());
        var conflicts = await app.Audit.GetFromJsonAsync<JsonElement>($"/v1/audit-events/conflicts?source={Uri.EscapeDataString(events.Source)}", Ct);
        var conflict = Assert.Single(conflicts.GetProperty("items").EnumerateArray());
        Assert.Equal(original.Id, conflict.GetProperty("id").GetString());
        Assert.Equal("tests", conflict.GetProperty("ingestedBy").GetString());
        var stored = await app.Audit.GetFromJsonAsync<JsonElement>($"/v1/audit-events/by-id?source={Uri.EscapeDataString(events.Source)}&id={original.Id}", Ct);
        Assert.Equal(1, stored.GetProperty("data").GetProperty("n").GetInt32());
    }
}
