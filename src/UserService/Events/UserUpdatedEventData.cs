namespace UserService.Events;

/// <summary>Data of <see cref="UserEventTypes.Updated"/>.</summary>
/// <param name="Id">The user id.</param>
/// <param name="Version">The user's version this change produced.</param>
/// <param name="ChangedFields">Names of the fields that changed.</param>
public sealed record UserUpdatedEventData(string Id, long Version, IReadOnlyList<string> ChangedFields);
