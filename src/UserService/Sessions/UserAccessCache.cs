using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using UserService.Users;

namespace UserService.Sessions;

/// <summary>
/// What token validation knows about each user, read from the store at most once per user per
/// <see cref="AuthOptions.UserCacheTtl"/>, so validating a token costs no database read on most
/// requests. This replica's own changes (a password change, a deletion) update it at once, and a
/// read that began before such a change never overwrites it.
/// </summary>
public sealed class UserAccessCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Func<string, CancellationToken, Task<User?>> _find;
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;

    /// <summary>Creates the cache over the user store.</summary>
    public UserAccessCache(UserStore store, IOptions<AuthOptions> options, TimeProvider time)
        : this(store.FindAsync, options, time)
    {
    }

    /// <summary>Creates the cache over any way of reading a user (tests pause it mid-read).</summary>
    internal UserAccessCache(Func<string, CancellationToken, Task<User?>> find, IOptions<AuthOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_find, _time, _ttl) = (find, time, options.Value.UserCacheTtl);
    }

    // Known is when the facts were known to hold: a read's start, or a change's commit.
    private sealed record Entry(UserAccess? Access, long Known);

    /// <summary>The user's access facts, or null when it does not exist (any more).</summary>
    public async ValueTask<UserAccess?> GetAsync(string userId, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(userId, out var entry) && _time.GetElapsedTime(entry.Known) < _ttl)
        {
            return entry.Access;
        }

        var started = _time.GetTimestamp();
        var user = await _find(userId, cancellationToken);
        var read = new Entry(user is null ? null : new UserAccess(user.IsAdmin, user.TokenVersion), started);
        // A change recorded while the read was under way is newer than what the read saw (a revoked
        // token version, a deletion): it stays, and is what this request gets.
        return _entries.AddOrUpdate(userId, read, (_, existing) => existing.Known >= started ? existing : read).Access;
    }

    /// <summary>Records what this replica just changed about a user (null: deleted).</summary>
    public void Set(string userId, UserAccess? access)
    {
        // Bounded by the number of users that sign in; a deleted one is kept as "gone" for one period.
        _entries[userId] = new Entry(access, _time.GetTimestamp());
    }
}
