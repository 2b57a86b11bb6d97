using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using UserService.Events;
using UserService.Users;

namespace UserService.Sessions;

/// <summary>
/// Signs users in. Wrong credentials get one answer whatever was wrong (unknown or deleted id,
/// wrong password) and cost the same time: an unknown id is checked against a dummy hash. Brute
/// force is stopped three ways: attempts per account per minute, a lockout after
/// <see cref="AuthOptions.MaxFailedSignIns"/> failures in a row (the right password is refused
/// while it lasts), and, at the endpoint, attempts per client address. A signed-in user's current
/// password, given to change it, is checked under the same first two.
/// </summary>
public sealed class SignInService : IDisposable
{
    private readonly UserStore _users;
    private readonly SignInStore _signIns;
    private readonly PasswordHashing _passwords;
    private readonly AccessTokens _tokens;
    private readonly UserEventFactory _events;
    private readonly AuthOptions _options;
    private readonly TimeProvider _time;
    private readonly PartitionedRateLimiter<string> _perAccount;

    /// <summary>Creates the service and its per-account rate limiter.</summary>
    public SignInService(
        UserStore users, SignInStore signIns, PasswordHashing passwords, AccessTokens tokens, UserEventFactory events,
        IOptions<AuthOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_users, _signIns, _passwords, _tokens, _events, _options, _time) = (users, signIns, passwords, tokens, events, options.Value, time);
        var perMinute = _options.SignInsPerAccountPerMinute;
        _perAccount = PartitionedRateLimiter.Create<string, string>(account => RateLimitPartition.GetFixedWindowLimiter(account, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));
    }

    /// <summary>Checks the credentials and issues an access token.</summary>
    /// <param name="userId">The id the caller gave (already checked to be a UUID).</param>
    /// <param name="password">The password the caller gave.</param>
    /// <param name="cancellationToken">Cancels the sign-in.</param>
    /// <exception cref="HashingBusyException">Too many password checks are running.</exception>
    public async Task<SignInOutcome> SignInAsync(string userId, string password, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (await ThrottledAsync(userId, now, cancellationToken) is { } throttled)
        {
            return throttled;
        }

        var user = await _users.FindAsync(userId, cancellationToken);
        // An unknown id is checked against a dummy hash, so it costs what a real one costs.
        var matches = await _passwords.VerifyAsync(user?.PasswordHash ?? _passwords.DummyHash, password, cancellationToken);
        if (user is null || !matches)
        {
            await RecordFailureAsync(userId, user is null ? "unknown" : "wrong_password", cancellationToken);
            return SignInOutcome.Refused;
        }

        await _signIns.RecordSuccessAsync(userId, _events.Session(UserEventTypes.SignedIn, new SessionEventData(userId), now, Actor.Of(user.Id, user.IsAdmin)), cancellationToken);
        return new SignInOutcome(_tokens.Issue(user), null);
    }

    /// <summary>
    /// Checks the current password a signed-in user gives to change it, under a sign-in's brakes: the
    /// per-account rate, the lockout (the right password is refused while it lasts), and a wrong one
    /// counts as a failed sign-in. A stolen token must not make guessing the password cheaper than
    /// signing in.
    /// </summary>
    /// <param name="user">The user, as stored.</param>
    /// <param name="password">The current password the caller gave.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns><see langword="null"/> when the password is right; otherwise why not: <see cref="SignInOutcome.Refused"/>, or throttled with the wait.</returns>
    /// <exception cref="HashingBusyException">Too many password checks are running.</exception>
    public async Task<SignInOutcome?> CheckCurrentPasswordAsync(User user, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (await ThrottledAsync(user.Id, _time.GetUtcNow(), cancellationToken) is { } throttled)
        {
            return throttled;
        }

        if (await _passwords.VerifyAsync(user.PasswordHash, password, cancellationToken))
        {
            return null;
        }

        await RecordFailureAsync(user.Id, "wrong_password", cancellationToken);
        return SignInOutcome.Refused;
    }

    // A failed password check of an account (a failed sign-in, or a wrong current password given to
    // change it) counts toward its lockout.
    private async Task RecordFailureAsync(string userId, string reason, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await _signIns.RecordFailureAsync(userId, _options.MaxFailedSignIns, _options.LockoutDuration, now, until =>
            until is null
                ? [Failed(userId, reason, now)]
                : [Failed(userId, reason, now), _events.Session(UserEventTypes.LockedOut, new SessionEventData(userId, Until: until), now, Actor.Unauthenticated)],
            cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose() => _perAccount.Dispose();

    // Both brakes that come before any password is checked: the account's attempts this minute, and
    // its lockout. A locked account is refused without a check: it costs the attacker nothing to try
    // and the service nothing to refuse.
    private async Task<SignInOutcome?> ThrottledAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var lease = _perAccount.AttemptAcquire(userId);
        if (!lease.IsAcquired)
        {
            return SignInOutcome.Throttled(lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1));
        }

        if (await _signIns.LockedUntilAsync(userId, now, cancellationToken) is { } lockedUntil)
        {
            await _signIns.RecordRefusalAsync(Failed(userId, "locked", now), cancellationToken);
            return SignInOutcome.Throttled(lockedUntil - now);
        }

        return null;
    }

    private Outbox.OutboxMessage Failed(string userId, string reason, DateTimeOffset now) =>
        _events.Session(UserEventTypes.SignInFailed, new SessionEventData(userId, reason), now, Actor.Unauthenticated);
}
