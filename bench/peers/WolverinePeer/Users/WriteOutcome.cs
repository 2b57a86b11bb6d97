namespace WolverinePeer.Users;

/// <summary>Outcome of a conditional write.</summary>
public enum WriteOutcome
{
    /// <summary>Written (or nothing to write).</summary>
    Done,

    /// <summary>No such user.</summary>
    NotFound,

    /// <summary>If-Match named another version.</summary>
    VersionMismatch,
}
