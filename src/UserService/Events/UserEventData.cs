namespace UserService.Events;

/// <summary>Data of <see cref="UserEventTypes.Created"/>, <see cref="UserEventTypes.PasswordChanged"/> and <see cref="UserEventTypes.Deleted"/>.</summary>
/// <param name="Id">The user id.</param>
/// <param name="Version">
/// The user's version this change produced (1 for a create; the deletion is the last version plus
/// one). With the id it identifies the change, so consumers can order and deduplicate by it.
/// </param>
public sealed record UserEventData(string Id, long Version);
