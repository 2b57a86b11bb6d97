using System.Text.Json.Serialization;
using UserService.Sessions;

namespace UserService.Users;

/// <summary>What the API says about a user: never the password or its hash.</summary>
/// <param name="Id">The user id.</param>
/// <param name="Name">The name.</param>
/// <param name="Version">The version (also the ETag).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record UserResponse(string Id, string Name, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>
    /// After users change their own password: a new access token, since every token issued before
    /// (the one used for this request included) stopped working.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SessionResponse? Session { get; init; }

    /// <summary>Projects a stored user.</summary>
    public static UserResponse From(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new(user.Id, user.Name, user.Version, user.CreatedAt, user.UpdatedAt);
    }
}
