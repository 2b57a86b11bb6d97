using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using UserAudit.Tests.EndToEnd;
using UserService.Outbox;
using UserService.Users;
using Xunit;

namespace UserAudit.Tests.Users;

/// <summary>
/// Idempotency keys of user creation: they expire (24 h by default), go with their user, and a
/// replay is recognized by a keyed hash of what was asked, never by the user's live password.
/// </summary>
public sealed class IdempotencyKeyTests(UserAuditApp app) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private TemporaryUserDatabase _db = null!;
    private IdempotencyKeys _keys = null!;
    private UserStore _users = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await TemporaryUserDatabase.CreateAsync(_time, Ct);
        _keys = _db.Keys('s', _time);
        _users = _db.Users(_keys);
    }

    [Fact]
    public async Task A_key_is_remembered_for_its_lifetime_then_forgotten_and_pruned()
    {
        var request = Request("key-expires", "Ada", "analytical-engine");
        await CreateAsync(request);

        _time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        var live = await _keys.FindAsync(request.Key, Ct);
        _time.Advance(TimeSpan.FromSeconds(2));
        var expired = await _keys.FindAsync(request.Key, Ct);
        var pruned = await _keys.PruneAsync(Ct);
        var reused = await CreateAsync(request);

        Assert.NotNull(live);
        Assert.Null(expired);
        Assert.Equal(1, pruned);
        Assert.NotNull(reused.Created);
    }

    [Fact]
    public async Task An_expired_key_is_not_replayed_even_before_it_is_pruned()
    {
        var request = Request("key-expired-unpruned", "Ada", "analytical-engine");
        var first = await CreateAsync(request);
        _time.Advance(TimeSpan.FromDays(2));

        var second = await CreateAsync(request);

        Assert.NotNull(second.Created);
        Assert.NotEqual(first.Created!.Id, second.Created.Id);
    }

    [Fact]
    public async Task A_users_keys_are_deleted_with_the_user()
    {
        var request = Request("key-of-a-deleted-user", "Grace", "compiler-1952");
        var created = await CreateAsync(request);

        await _users.DeleteAsync(created.Created!.Id, null, u => Message(u.Id), Ct);

        Assert.Null(await _keys.FindAsync(request.Key, Ct));
        await using var connection = await _db.Database.OpenAsync(Ct);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM idempotency_keys";
        Assert.Equal(0L, await count.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task A_replay_is_recognized_by_what_was_asked_whatever_the_users_password_is_now()
    {
        var request = Request("key-password-changed", "Ada", "analytical-engine");
        var created = await CreateAsync(request);
        await _users.UpdateAsync(created.Created!.Id, null, (u, _) => (u with { PasswordHash = "changed" }, [Message(u.Id)]), Ct);

        var replay = await CreateAsync(request);
        var guess = await CreateAsync(Request("key-password-changed", "Ada", "changed"));

        Assert.True(IdempotencyKeys.SameRequest(replay.Previous!, request));
        Assert.False(IdempotencyKeys.SameRequest(guess.Previous!, Request("key-password-changed", "Ada", "changed")));
    }

    [Fact]
    public void The_request_hash_is_keyed_and_covers_key_name_and_password()
    {
        var other = _db.Keys('t', _time);
        var hash = _keys.RequestHash("k", "Ada", "pw-123456");

        Assert.Equal(hash, _keys.RequestHash("k", "Ada", "pw-123456"));
        Assert.NotEqual(hash, other.RequestHash("k", "Ada", "pw-123456"));
        Assert.NotEqual(hash, _keys.RequestHash("k", "Ada", "pw-1234567"));
        Assert.NotEqual(hash, _keys.RequestHash("k", "Ad", "apw-123456"));
        Assert.NotEqual(hash, _keys.RequestHash("k2", "Ada", "pw-123456"));
    }

    [Fact]
    public async Task After_the_user_is_deleted_its_key_creates_a_new_user_instead_of_answering_with_the_deleted_one()
    {
        var key = Guid.NewGuid().ToString();
        var first = await PostAsync(key);
        using (var delete = await app.Users.DeleteAsync($"/v1/users/{first}", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        var second = await PostAsync(key);

        Assert.NotEqual(first, second);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private async Task<string> PostAsync(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/users")
        {
            Content = new StringContent("""{"name": "Keyed", "password": "keyed-password"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await app.Users.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;
    }

    private IdempotentRequest Request(string key, string name, string password) => new(key, _keys.RequestHash(key, name, password));

    private Task<UserStore.IdempotentCreate> CreateAsync(IdempotentRequest request)
    {
        var now = _time.GetUtcNow();
        var user = new User(Guid.CreateVersion7().ToString(), "Ada", "hash", 1, now, now);
        return _users.CreateAsync(user, Message(user.Id), request, u => JsonSerializer.Serialize(new { id = u.Id }), Ct);
    }

    private OutboxMessage Message(string userId) =>
        new(Guid.NewGuid().ToString(), "org.useraudit.user.created.v1", userId, _time.GetUtcNow(), $$"""{"id":"{{userId}}"}""", null, null, "unauthenticated", null);
}
