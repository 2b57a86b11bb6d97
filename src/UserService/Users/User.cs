namespace UserService.Users;

/// <summary>A stored user. The password exists only as a salted, slow hash.</summary>
public sealed record User(string Id, string Name, string PasswordHash, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>The strong ETag of this version.</summary>
    public string ETag => $"\"{Version}\"";
}
