namespace UserService.Events;

/// <summary>The JSON Schema file of each event type's data (docs/schemas, embedded in this service).</summary>
public static class UserEventSchemas
{
    /// <summary>Schema file name of <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException">The type is not one of <see cref="UserEventTypes"/>.</exception>
    public static string FileOf(string type) => type switch
    {
        UserEventTypes.Created => "user.created.v1.json",
        UserEventTypes.Updated => "user.updated.v1.json",
        UserEventTypes.PasswordChanged => "user.password_changed.v1.json",
        UserEventTypes.Deleted => "user.deleted.v1.json",
        UserEventTypes.SignedIn => "user.signed_in.v1.json",
        UserEventTypes.SignInFailed => "user.sign_in_failed.v1.json",
        UserEventTypes.LockedOut => "user.locked_out.v1.json",
        UserEventTypes.TokensRevoked => "user.tokens_revoked.v1.json",
        _ => throw new ArgumentException($"Unknown event type '{type}'.", nameof(type)),
    };

    /// <summary>Opens an embedded schema by file name, or null when there is none.</summary>
    public static Stream? Open(string file) =>
        typeof(UserEventSchemas).Assembly.GetManifestResourceStream("schemas/" + file);
}
