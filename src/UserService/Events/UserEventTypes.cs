namespace UserService.Events;

/// <summary>The CloudEvents UserService publishes. The catalog is docs/events.md.</summary>
public static class UserEventTypes
{
    /// <summary>A user was created.</summary>
    public const string Created = "org.useraudit.user.created.v1";

    /// <summary>A user's name changed (the data names the changed fields, never values of secrets).</summary>
    public const string Updated = "org.useraudit.user.updated.v1";

    /// <summary>A user's password changed (the data holds only the user id).</summary>
    public const string PasswordChanged = "org.useraudit.user.password_changed.v1";

    /// <summary>A user was deleted.</summary>
    public const string Deleted = "org.useraudit.user.deleted.v1";
}
