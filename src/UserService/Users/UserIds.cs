namespace UserService.Users;

/// <summary>User ids are UUIDs in their 36-character form.</summary>
public static class UserIds
{
    /// <summary>Whether <paramref name="id"/> is a user id in its canonical form.</summary>
    public static bool IsValid(string id) => id is { Length: 36 } && Guid.TryParseExact(id, "D", out _);
}
