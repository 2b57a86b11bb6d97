namespace WolverinePeer.Users;

/// <summary>UserService's representation of a user: never the password or its hash.</summary>
public sealed record UserResponse(string Id, string Name, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>Projects a stored user.</summary>
    public static UserResponse From(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new(user.Id, user.Name, user.Version, user.CreatedAt, user.UpdatedAt);
    }
}
