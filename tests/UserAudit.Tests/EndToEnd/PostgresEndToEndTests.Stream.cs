using System.Text.Json;
using UserAudit.Tests.AuditApi;
using Xunit;

namespace UserAudit.Tests.EndToEnd;

public sealed partial class PostgresEndToEndTests
{
    /// <summary>
    /// A live stream is served by one AuditService replica, while each of the three stores the
    /// events of its own partition. The others' commits reach it as PostgreSQL notifications: in
    /// this application a stream looks at the store on its own only every 10 minutes
    /// (<c>Stream:RecheckInterval</c>), so nothing else could bring their events within the test.
    /// </summary>
    [Fact]
    public async Task A_live_stream_on_one_replica_gets_at_once_the_events_every_replica_stores()
    {
        var path = $"/v1/audit-events/stream?source={Uri.EscapeDataString("urn:useraudit:user-service")}&type=org.useraudit.user.created.v1";
        await using var stream = await LiveStream.OpenAsync(App.Audit, path, after: null, Ct);
        var waiting = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 12; i++)
        {
            waiting.Add(await App.CreateUserAsync($"Stream Reader {i}", "a-stream-reader-password", Ct));
        }

        var partitions = new HashSet<int>();
        while (waiting.Count > 0)
        {
            using var item = JsonDocument.Parse((await stream.NextAsync()).Data);
            if (waiting.Remove(item.RootElement.GetProperty("subject").GetString()!))
            {
                partitions.Add(item.RootElement.GetProperty("kafka").GetProperty("partition").GetInt32());
            }
        }

        // Three replicas share the topic's three partitions, one each: events of two or more
        // partitions were stored by more than the replica serving the stream.
        Assert.True(partitions.Count >= 2, $"all 12 users' events came from partition(s) {string.Join(", ", partitions)}; the test proves nothing then");
    }
}
