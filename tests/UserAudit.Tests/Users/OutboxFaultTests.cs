using System.Net;
using System.Net.Http.Json;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.Users;

/// <summary>Requests never wait on Kafka, and no acknowledged change loses its event.</summary>
public sealed class OutboxFaultTests(IsolatedUserAuditApp fixture) : IClassFixture<IsolatedUserAuditApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private UserAuditApp App => fixture.App;

    [Fact]
    public async Task Writes_succeed_while_the_broker_is_down_and_their_events_arrive_once_it_is_back()
    {
        await App.SetBrokerAsync(up: false, Ct);
        var ids = new List<string>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                using var response = await App.Users.PostAsJsonAsync("/v1/users", new { name = $"Offline {i}", password = "offline-password" }, Ct);
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                ids.Add((await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(Ct)).GetProperty("id").GetString()!);
            }

            using var rename = await App.Users.PatchAsJsonAsync($"/v1/users/{ids[0]}", new { name = "Renamed Offline" }, Ct);
            Assert.Equal(HttpStatusCode.OK, rename.StatusCode);
        }
        finally
        {
            await App.SetBrokerAsync(up: true, Ct);
        }

        foreach (var id in ids)
        {
            await App.WaitForExactlyAuditEventsAsync(id, id == ids[0] ? 2 : 1, Ct, TimeSpan.FromSeconds(120));
        }
    }
}
