namespace UserService.Events;

/// <summary>Data of the session events (<see cref="UserEventTypes.SignedIn"/> and friends).</summary>
/// <param name="Id">The user id (for a failed sign-in: the id that was tried, whether or not it exists).</param>
/// <param name="Reason">Why a sign-in failed (<c>unknown</c>, <c>wrong_password</c>, <c>locked</c>) or tokens were revoked (<c>password_changed</c>); null otherwise.</param>
/// <param name="Until">Until when a lockout lasts; null otherwise.</param>
public sealed record SessionEventData(string Id, string? Reason = null, DateTimeOffset? Until = null);
