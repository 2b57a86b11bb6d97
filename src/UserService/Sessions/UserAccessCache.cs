using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using UserService.Users;

namespace UserService.Sessions;

/// <summary>
/// What token validation knows about each user, read from the store at most once per user per
/// <see cref="AuthOptions.UserCacheTtl"/>, so validating a token costs no database read on most
/// requests. This replica's own changes (a password change, a deletion) update it at once.
/// </summary>
public sealed class UserAccessCache(UserStore store, IOptions<AuthOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeSpan _ttl = options.Value.UserCacheTtl;

    private sealed record Entry(UserAccess? Access, long ReadAt);

    /// <summary>The user's access facts, or null when it does not exist (any more).</summary>
    public async ValueTask<UserAccess?> GetAsync(string userId, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(userId, out var entry) && time.GetElapsedTime(entry.ReadAt) < _ttl)
        {
            return entry.Access;
        }

        var user = await store.FindAsync(userId, cancellationToken);
        var access = user is null ? null : new UserAccess(user.IsAdmin, user.TokenVersion);
        Set(userId, access);
        return access;
    }

    /// <summary>Records what this replica just changed about a user (null: deleted).</summary>
    public void Set(string userId, UserAccess? access)
    {
        // Bounded by the number of users that sign in; a deleted one is kept as "gone" for one period.
        _entries[userId] = new Entry(access, time.GetTimestamp());
    }
}
