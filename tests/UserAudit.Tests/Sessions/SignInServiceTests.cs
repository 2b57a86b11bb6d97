using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using UserAudit.Tests.Users;
using UserService.Events;
using UserService.Outbox;
using UserService.Sessions;
using UserService.Users;
using Xunit;

namespace UserAudit.Tests.Sessions;

/// <summary>Brute force against the sign-in itself, on a real database and a clock the test moves.</summary>
public sealed class SignInServiceTests : IAsyncLifetime
{
    private const string Password = "the-right-password";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private TemporaryUserDatabase _db = null!;
    private UserStore _users = null!;
    private PasswordHashing _passwords = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await TemporaryUserDatabase.CreateAsync(_clock, Ct);
        _users = _db.Users(_db.Keys('k', _clock));
        _passwords = new PasswordHashing(Options.Create(new PasswordOptions()));
    }

    private SignInService Service(int maxFailures = 3, int perAccountPerMinute = 100) =>
        new(_users, new SignInStore(_db.Database, _db.Writer, _db.Outbox, new OutboxSignal()), _passwords,
            new AccessTokens(Options.Create(Auth(maxFailures, perAccountPerMinute)), _clock), new UserEventFactory(),
            Options.Create(Auth(maxFailures, perAccountPerMinute)), _clock);

    private static AuthOptions Auth(int maxFailures, int perAccountPerMinute) => new()
    {
        SigningKey = new string('k', 64),
        MaxFailedSignIns = maxFailures,
        LockoutDuration = TimeSpan.FromMinutes(15),
        SignInsPerAccountPerMinute = perAccountPerMinute,
    };

    private async Task<string> UserAsync()
    {
        var now = _clock.GetUtcNow();
        var user = new User(Guid.CreateVersion7().ToString(), "Brute", await _passwords.HashAsync(Password, Ct), 1, now, now);
        await _users.CreateAsync(user, new UserEventFactory().Create(UserEventTypes.Created, user.Id, 1, now, Actor.System), null, _ => "", Ct);
        return user.Id;
    }

    [Fact]
    public async Task Wrong_passwords_lock_the_account_the_right_one_is_refused_during_the_lockout_and_works_after_it()
    {
        var id = await UserAsync();
        using var signIn = Service(maxFailures: 3);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(SignInOutcome.Refused, await signIn.SignInAsync(id, "wrong-password", Ct));
        }

        var locked = await signIn.SignInAsync(id, Password, Ct);
        Assert.Null(locked.Token);
        Assert.Equal(TimeSpan.FromMinutes(15), locked.RetryAfter);

        _clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Null((await signIn.SignInAsync(id, Password, Ct)).Token);

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.NotNull((await signIn.SignInAsync(id, Password, Ct)).Token);
        Assert.Equal(["signed_in"], await EventsAsync(id, "org.useraudit.user.signed_in.v1"));
    }

    [Fact]
    public async Task An_unknown_id_fails_like_a_wrong_password_and_locks_like_a_real_account()
    {
        var unknown = Guid.CreateVersion7().ToString();
        using var signIn = Service(maxFailures: 2);

        Assert.Equal(SignInOutcome.Refused, await signIn.SignInAsync(unknown, Password, Ct));
        Assert.Equal(SignInOutcome.Refused, await signIn.SignInAsync(unknown, Password, Ct));
        var locked = await signIn.SignInAsync(unknown, Password, Ct);

        Assert.NotNull(locked.RetryAfter);
        Assert.Equal(["unknown", "unknown", "locked"], await ReasonsAsync(unknown));
        Assert.Single(await EventsAsync(unknown, "org.useraudit.user.locked_out.v1"));
    }

    [Fact]
    public async Task Attempts_on_one_account_beyond_its_rate_are_throttled_before_any_password_check()
    {
        var id = await UserAsync();
        using var signIn = Service(maxFailures: 100, perAccountPerMinute: 2);

        await signIn.SignInAsync(id, "wrong-1", Ct);
        await signIn.SignInAsync(id, "wrong-2", Ct);
        var throttled = await signIn.SignInAsync(id, Password, Ct);

        Assert.Null(throttled.Token);
        Assert.NotNull(throttled.RetryAfter);
        // Two failures recorded; the third attempt never reached the password check.
        Assert.Equal(["wrong_password", "wrong_password"], await ReasonsAsync(id));
    }

    [Fact]
    public async Task A_wrong_current_password_counts_toward_the_lockout_and_the_right_one_is_refused_during_it()
    {
        var id = await UserAsync();
        var user = (await _users.FindAsync(id, Ct))!;
        using var signIn = Service(maxFailures: 2);

        Assert.Equal(SignInOutcome.Refused, await signIn.CheckCurrentPasswordAsync(user, "wrong-1", Ct));
        Assert.Equal(SignInOutcome.Refused, await signIn.CheckCurrentPasswordAsync(user, "wrong-2", Ct));
        var locked = await signIn.CheckCurrentPasswordAsync(user, Password, Ct);

        Assert.Equal(TimeSpan.FromMinutes(15), locked?.RetryAfter);
        // The lockout is the account's: signing in is refused too.
        Assert.Equal(TimeSpan.FromMinutes(15), (await signIn.SignInAsync(id, Password, Ct)).RetryAfter);
        Assert.Equal(["wrong_password", "wrong_password", "locked", "locked"], await ReasonsAsync(id));
        Assert.Single(await EventsAsync(id, "org.useraudit.user.locked_out.v1"));

        _clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Null(await signIn.CheckCurrentPasswordAsync(user, Password, Ct));
    }

    [Fact]
    public async Task Current_password_checks_beyond_the_accounts_rate_are_throttled_before_any_password_check()
    {
        var id = await UserAsync();
        var user = (await _users.FindAsync(id, Ct))!;
        using var signIn = Service(maxFailures: 100, perAccountPerMinute: 2);

        await signIn.SignInAsync(id, "wrong-1", Ct);
        Assert.Equal(SignInOutcome.Refused, await signIn.CheckCurrentPasswordAsync(user, "wrong-2", Ct));
        var throttled = await signIn.CheckCurrentPasswordAsync(user, Password, Ct);

        Assert.NotNull(throttled?.RetryAfter);
        Assert.Equal(["wrong_password", "wrong_password"], await ReasonsAsync(id));
    }

    private async Task<List<string>> ReasonsAsync(string id) =>
        [.. (await EventsAsync(id, "org.useraudit.user.sign_in_failed.v1")).Select(data =>
            System.Text.Json.JsonDocument.Parse(data).RootElement.GetProperty("reason").GetString()!)];

    private async Task<List<string>> EventsAsync(string subject, string type)
    {
        await using var connection = await _db.Database.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT data FROM outbox WHERE subject = $subject AND event_type = $type ORDER BY seq";
        command.Parameters.AddWithValue("$subject", subject);
        command.Parameters.AddWithValue("$type", type);
        var events = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            events.Add(type.EndsWith("signed_in.v1", StringComparison.Ordinal) ? "signed_in" : reader.GetString(0));
        }

        return events;
    }

    public async ValueTask DisposeAsync()
    {
        _passwords.Dispose();
        await _db.DisposeAsync();
    }
}
