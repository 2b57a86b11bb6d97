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

    /// <summary>A user signed in and received an access token.</summary>
    public const string SignedIn = "org.useraudit.user.signed_in.v1";

    /// <summary>A sign-in was refused; the data says why (unknown, wrong_password, locked), never with the password tried.</summary>
    public const string SignInFailed = "org.useraudit.user.sign_in_failed.v1";

    /// <summary>Too many failed sign-ins locked an account for a while.</summary>
    public const string LockedOut = "org.useraudit.user.locked_out.v1";

    /// <summary>Every access token issued to a user so far stopped working (its password changed).</summary>
    public const string TokensRevoked = "org.useraudit.user.tokens_revoked.v1";
}
