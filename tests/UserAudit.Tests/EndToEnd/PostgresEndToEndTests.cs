using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AuditService.Integrity;
using Npgsql;
using UserAudit.Tests.AuditApi;
using Xunit;

namespace UserAudit.Tests.EndToEnd;

/// <summary>
/// Both services on PostgreSQL (<c>Storage:Provider=postgres</c>, local mode), one application for
/// the class: users change, their events are stored once and in order, the query, count, export,
/// conflict and verify APIs answer as on SQLite, and the rows are in PostgreSQL, not in a file.
/// </summary>
public sealed partial class PostgresEndToEndTests(PostgresUserAuditApp postgres) : IClassFixture<PostgresUserAuditApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private UserAuditApp App => postgres.App;

    [Fact]
    public async Task Created_renamed_and_deleted_user_is_audited_once_per_change_in_order()
    {
        var id = await App.CreateUserAsync("Edgar Codd", "relational-1970", Ct);
        using (var rename = await App.Users.PatchAsJsonAsync($"/v1/users/{id}", new { name = "E. F. Codd" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, rename.StatusCode);
        }

        using (var delete = await App.Users.DeleteAsync($"/v1/users/{id}", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        var events = await App.WaitForExactlyAuditEventsAsync(id, 3, Ct);
        Assert.Equal(["org.useraudit.user.deleted.v1", "org.useraudit.user.updated.v1", "org.useraudit.user.created.v1"],
            events.Select(e => e.GetProperty("type").GetString()));
        var positions = events.Select(e => e.GetProperty("position").GetInt64()).ToList();
        Assert.Equal(positions.OrderDescending(), positions);

        await using var users = new NpgsqlConnection(await postgres.ConnectionStringAsync("users", Ct));
        await users.OpenAsync(Ct);
        await using var pending = new NpgsqlCommand("SELECT count(*) FROM outbox WHERE subject = @id AND delivered_at IS NULL", users);
        pending.Parameters.AddWithValue("id", id);
        Assert.Equal(0L, await pending.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task Concurrent_creates_with_one_idempotency_key_create_one_user()
    {
        var key = Guid.NewGuid().ToString("N");
        async Task<(HttpStatusCode Status, string Id)> CreateAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/users") { Content = JsonContent.Create(new { name = "Jim Gray", password = "transaction-1981" }) };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await App.Users.SendAsync(request, Ct);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            return (response.StatusCode, body.TryGetProperty("id", out var id) ? id.GetString()! : "");
        }

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => CreateAsync()));

        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"answered {a.Status}"));
        // A replay answers as the first request did: every answer names the one user created.
        Assert.Single(answers.Select(a => a.Id).Distinct());
    }

    [Fact]
    public async Task Http_events_are_stored_once_counted_exported_and_a_changed_copy_is_a_conflict()
    {
        var events = new AuditApiEvents(App);
        var subject = AuditApiEvents.NewSubject();
        var batch = Enumerable.Range(0, 3).Select(i => events.Json("org.useraudit.tests.pg.v1", subject, AuditApiEvents.BaseTime.AddMinutes(i))).ToList();
        await events.StoreAsync(batch, Ct);
        await events.StoreAsync([batch[0]], Ct);
        var changed = events.Json("org.useraudit.tests.pg.v1", subject, AuditApiEvents.BaseTime.AddHours(1));
        changed.Id = batch[1].Id;
        changed.Data = JsonDocument.Parse("""{"forged":true}""").RootElement.Clone();
        await events.StoreAsync([changed], Ct);

        Assert.Equal(3, (await App.WaitForAuditEventsAsync(subject, 3, Ct)).Length);
        var counts = await App.Audit.GetFromJsonAsync<JsonElement>(events.Query("/v1/audit-events/counts") + "&by=type", Ct);
        Assert.Equal(3, Assert.Single(counts.EnumerateArray()).GetProperty("count").GetInt64());
        var lines = (await App.Audit.GetStringAsync(events.Query("/v1/audit-events/export") + "&format=ndjson", Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        var conflicts = await App.Audit.GetFromJsonAsync<JsonElement>(events.Query("/v1/audit-events/conflicts"), Ct);
        Assert.Equal(batch[1].Id, Assert.Single(conflicts.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());

        await using var audit = new NpgsqlConnection(await postgres.ConnectionStringAsync("audit", Ct));
        await audit.OpenAsync(Ct);
        await using var stored = new NpgsqlCommand("SELECT count(*) FROM audit_events WHERE source = @source", audit);
        stored.Parameters.AddWithValue("source", events.Source);
        Assert.Equal(3L, await stored.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task The_hash_chain_verifies_from_the_first_row_to_the_head()
    {
        var events = new AuditApiEvents(App);
        var subject = AuditApiEvents.NewSubject();
        await events.StoreAsync([.. Enumerable.Range(0, 5).Select(i => events.Json("org.useraudit.tests.pg.chain.v1", subject, AuditApiEvents.BaseTime.AddSeconds(i)))], Ct);
        await App.WaitForAuditEventsAsync(subject, 5, Ct);

        var verification = (await App.Audit.GetFromJsonAsync<ChainVerification>("/v1/audit-events/verify", Ct))!;

        Assert.True(verification.Intact, verification.FirstBreak?.Detail);
        Assert.True(verification.RowsChecked >= 5);
    }
}
