using System.Diagnostics.CodeAnalysis;

namespace WolverinePeer.Users;

/// <summary>The preconditions of every conditional write, as UserService checks them.</summary>
public static class VersionCheck
{
    /// <summary>
    /// True when a write to <paramref name="current"/> must not happen: there is no such user, or
    /// If-Match named another version; <paramref name="refusal"/> says which.
    /// </summary>
    public static bool Refuses([NotNullWhen(false)] User? current, long? expectedVersion, out WriteOutcome refusal)
    {
        refusal = current is null ? WriteOutcome.NotFound
            : expectedVersion is not null && expectedVersion != current.Version ? WriteOutcome.VersionMismatch
            : WriteOutcome.Done;
        return refusal is not WriteOutcome.Done;
    }
}
