using UserAudit.CloudEvents;

namespace UserService.Sessions;

/// <summary>
/// Who caused a change, as its event's Auth Context records it: a user acting on itself is an
/// <c>app_user</c>; an administrator is a <c>user</c> (an operator account the deployment created,
/// which is the spec's "user account registered in the infrastructure", not an end user of the
/// application); an open registration is <c>unauthenticated</c>; start-up work is <c>system</c>.
/// </summary>
/// <param name="AuthType">One of <see cref="AuthTypes"/>.</param>
/// <param name="AuthId">The principal's user id, or null.</param>
public sealed record Actor(string AuthType, string? AuthId)
{
    /// <summary>No credentials: an open registration or a sign-in attempt.</summary>
    public static Actor Unauthenticated { get; } = new(AuthTypes.Unauthenticated, null);

    /// <summary>UserService itself, for example creating the first administrator.</summary>
    public static Actor System { get; } = new(AuthTypes.System, null);

    /// <summary>A user acting on itself, or an administrator acting on anyone.</summary>
    public static Actor Of(string userId, bool isAdmin) => new(isAdmin ? AuthTypes.User : AuthTypes.AppUser, userId);
}
