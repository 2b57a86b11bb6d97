namespace UserService.Users;

/// <summary>Outcome of a conditional write.</summary>
public enum WriteOutcome
{
    /// <summary>Written.</summary>
    Done,

    /// <summary>No such user.</summary>
    NotFound,

    /// <summary>The caller's version (If-Match) is not the current one.</summary>
    VersionMismatch,
}
