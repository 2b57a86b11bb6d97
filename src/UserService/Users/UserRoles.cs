namespace UserService.Users;

/// <summary>What a user may do: act on itself, or, as an administrator, on everyone.</summary>
public static class UserRoles
{
    /// <summary>A user that may read, change and delete itself only.</summary>
    public const string User = "user";

    /// <summary>An administrator: may list users and act on any of them.</summary>
    public const string Admin = "admin";
}
