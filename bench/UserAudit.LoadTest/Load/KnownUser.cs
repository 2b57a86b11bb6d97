namespace UserAudit.LoadTest.Load;

/// <summary>A user a run can change, with the version it has as far as the run knows.</summary>
/// <param name="Id">The user id.</param>
/// <param name="Version">Its current version; null when unknown (the client reads the user first).</param>
public sealed record KnownUser(string Id, long? Version);
