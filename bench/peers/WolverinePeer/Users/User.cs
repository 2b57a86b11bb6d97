namespace WolverinePeer.Users;

/// <summary>A stored user, as in UserService's users table. Mutable because EF Core tracks it.</summary>
public sealed class User
{
    /// <summary>UUIDv7, time-ordered like UserService's.</summary>
    public required string Id { get; set; }

    /// <summary>Display name.</summary>
    public required string Name { get; set; }

    /// <summary>ASP.NET Core Identity v3 hash.</summary>
    public required string PasswordHash { get; set; }

    /// <summary>Starts at 1, one more per change; the ETag.</summary>
    public long Version { get; set; }

    /// <summary>Creation time.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Time of the last change.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}
