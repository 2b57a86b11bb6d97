namespace UserService.Sessions;

/// <summary>What token validation needs to know about a user: whether it exists, its role, its token version.</summary>
/// <param name="IsAdmin">Whether the user is an administrator.</param>
/// <param name="TokenVersion">Tokens carrying another version were revoked.</param>
public sealed record UserAccess(bool IsAdmin, long TokenVersion);
