using System.Net.Http.Json;
using System.Text.Json;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.AuditApi;

/// <summary><c>GET /v1/audit-events/counts</c>: events counted by type and by UTC hour.</summary>
public sealed class AuditEventCountsTests(UserAuditApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Counts_by_type_list_the_most_frequent_type_first_at_most_limit_of_them()
    {
        var events = new AuditApiEvents(app);
        var subject = AuditApiEvents.NewSubject();
        await events.StoreAsync([
            events.Json("org.useraudit.tests.rare.v1", subject, AuditApiEvents.BaseTime),
            .. Enumerable.Range(0, 3).Select(i => events.Json("org.useraudit.tests.common.v1", subject, AuditApiEvents.BaseTime.AddMinutes(i))),
        ], Ct);

        var counts = await CountsAsync(events.Query("/v1/audit-events/counts") + "&by=type");
        var first = await CountsAsync(events.Query("/v1/audit-events/counts") + "&by=type&limit=1");
        using var tooMany = await app.Audit.GetAsync(events.Query("/v1/audit-events/counts") + "&limit=10001", Ct);

        Assert.Equal([("org.useraudit.tests.common.v1", 3L), ("org.useraudit.tests.rare.v1", 1L)], counts);
        Assert.Equal([("org.useraudit.tests.common.v1", 3L)], first);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    [Fact]
    public async Task Counts_by_hour_are_utc_iso_8601_buckets_in_time_order_within_the_range()
    {
        var events = new AuditApiEvents(app);
        var subject = AuditApiEvents.NewSubject();
        var start = AuditApiEvents.BaseTime;
        await events.StoreAsync([
            events.Json("org.useraudit.tests.counted.v1", subject, start.AddMinutes(59).ToOffset(TimeSpan.FromHours(-5))),
            events.Json("org.useraudit.tests.counted.v1", subject, start.AddMinutes(1)),
            events.Json("org.useraudit.tests.counted.v1", subject, start.AddHours(2).AddMinutes(30)),
            events.Json("org.useraudit.tests.counted.v1", subject, start.AddHours(5)),
        ], Ct);

        var counts = await CountsAsync(events.Query("/v1/audit-events/counts") + $"&by=hour&from={AuditApiEvents.Time(start)}&to={AuditApiEvents.Time(start.AddHours(5))}");

        Assert.Equal([("2020-03-04T10:00:00Z", 2L), ("2020-03-04T12:00:00Z", 1L)], counts);
    }

    [Fact]
    public async Task Events_before_1970_fall_in_their_own_hour()
    {
        var events = new AuditApiEvents(app);
        var subject = AuditApiEvents.NewSubject();
        await events.StoreAsync([
            events.Json("org.useraudit.tests.counted.v1", subject, new DateTimeOffset(1969, 12, 31, 23, 30, 0, TimeSpan.Zero)),
            events.Json("org.useraudit.tests.counted.v1", subject, new DateTimeOffset(1970, 1, 1, 0, 30, 0, TimeSpan.Zero)),
        ], Ct);

        var counts = await CountsAsync(events.Query("/v1/audit-events/counts") + "&by=hour");

        Assert.Equal([("1969-12-31T23:00:00Z", 1L), ("1970-01-01T00:00:00Z", 1L)], counts);
    }

    private async Task<List<(string, long)>> CountsAsync(string url)
    {
        var body = await app.Audit.GetFromJsonAsync<JsonElement>(url, Ct);
        return [.. body.EnumerateArray().Select(c => (c.GetProperty("key").GetString()!, c.GetProperty("count").GetInt64()))];
    }
}
