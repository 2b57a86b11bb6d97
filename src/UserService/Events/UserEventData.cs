namespace UserService.Events;

/// <summary>Data of <see cref="UserEventTypes.Created"/>, <see cref="UserEventTypes.PasswordChanged"/> and <see cref="UserEventTypes.Deleted"/>.</summary>
/// <param name="Id">The user id.</param>
public sealed record UserEventData(string Id);
