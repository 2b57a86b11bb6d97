namespace UserService.Users;

/// <summary>A stored user. The password exists only as a salted, slow hash.</summary>
/// <param name="Id">The user id (a UUIDv7).</param>
/// <param name="Name">The name.</param>
/// <param name="PasswordHash">The PBKDF2 hash of the password.</param>
/// <param name="Version">Raised by every change; the ETag.</param>
/// <param name="CreatedAt">When the user was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="Role">One of <see cref="UserRoles"/>.</param>
/// <param name="TokenVersion">Raised when every access token issued so far must stop working (a password change).</param>
public sealed record User(
    string Id, string Name, string PasswordHash, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    string Role = UserRoles.User, long TokenVersion = 0)
{
    /// <summary>The strong ETag of this version.</summary>
    public string ETag => $"\"{Version}\"";

    /// <summary>Whether the user is an administrator.</summary>
    public bool IsAdmin => Role == UserRoles.Admin;
}
