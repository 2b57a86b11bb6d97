namespace WolverinePeer.Users;

/// <summary>A requested change to a user, applied the way UserService applies it.</summary>
/// <param name="Name">New name (trimmed), or null to keep it.</param>
/// <param name="PasswordHash">Hash of the new password, or null to keep it.</param>
/// <param name="Time">When the change happens.</param>
public sealed record UserUpdate(string? Name, string? PasswordHash, DateTimeOffset Time)
{
    private static readonly string[] NameField = ["name"];

    /// <summary>
    /// Changes <paramref name="user"/> and returns one message per event, as UserService does: an
    /// update when the name differs, a password change when a password was given, and nothing (no
    /// new version) when neither.
    /// </summary>
    public IReadOnlyList<UserChanged> ApplyTo(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var renamed = Name is not null && Name != user.Name;
        if (!renamed && PasswordHash is null)
        {
            return [];
        }

        user.Version++;
        user.UpdatedAt = Time;
        var events = new List<UserChanged>(2);
        if (renamed)
        {
            user.Name = Name!;
            events.Add(new UserChanged(user.Id, user.Version, UserChanged.Updated, NameField, Time));
        }

        if (PasswordHash is not null)
        {
            user.PasswordHash = PasswordHash;
            events.Add(new UserChanged(user.Id, user.Version, UserChanged.PasswordChanged, null, Time));
        }

        return events;
    }
}
