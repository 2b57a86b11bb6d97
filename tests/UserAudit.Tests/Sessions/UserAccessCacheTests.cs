using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using UserService.Sessions;
using UserService.Users;
using Xunit;

namespace UserAudit.Tests.Sessions;

/// <summary>
/// Token validation's cache of each user's access: a revocation or a deletion this replica records
/// while a read of the user is under way stays; the read, which saw the user before the change,
/// must not bring the revoked tokens back for a cache period.
/// </summary>
public sealed class UserAccessCacheTests
{
    private const string Id = "0190a5c4-2f1e-7c3a-9d2b-4e5f6a7b8c9d";
    private readonly FakeTimeProvider _clock = new();
    private readonly TaskCompletionSource<User?> _reading = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private UserAccessCache Cache() => new((_, _) => _reading.Task, Options.Create(new AuthOptions()), _clock);

    private static User Stored(long tokenVersion, string role = UserRoles.User) =>
        new(Id, "Cached", "hash", 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, role, tokenVersion);

    [Fact]
    public async Task A_password_change_recorded_during_a_read_is_not_overwritten_by_what_the_read_saw()
    {
        var cache = Cache();
        var validating = cache.GetAsync(Id, Ct);

        cache.Set(Id, new UserAccess(IsAdmin: false, TokenVersion: 1));
        _reading.SetResult(Stored(tokenVersion: 0));

        Assert.Equal(1, (await validating)?.TokenVersion);
        Assert.Equal(1, (await cache.GetAsync(Id, Ct))?.TokenVersion);
    }

    [Fact]
    public async Task A_deletion_recorded_during_a_read_is_not_overwritten_by_what_the_read_saw()
    {
        var cache = Cache();
        var validating = cache.GetAsync(Id, Ct);

        cache.Set(Id, null);
        _reading.SetResult(Stored(tokenVersion: 0, role: UserRoles.Admin));

        Assert.Null(await validating);
        Assert.Null(await cache.GetAsync(Id, Ct));
    }

    [Fact]
    public async Task An_entry_older_than_the_cache_period_is_replaced_by_a_new_read()
    {
        var cache = Cache();
        cache.Set(Id, new UserAccess(IsAdmin: false, TokenVersion: 1));
        _clock.Advance(new AuthOptions().UserCacheTtl);

        _reading.SetResult(Stored(tokenVersion: 2));

        Assert.Equal(2, (await cache.GetAsync(Id, Ct))?.TokenVersion);
    }
}
