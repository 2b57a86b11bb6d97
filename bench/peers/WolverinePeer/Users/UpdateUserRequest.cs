namespace WolverinePeer.Users;

/// <summary>Body of <c>PATCH /v1/users/{id}</c>: each field present is changed.</summary>
public sealed record UpdateUserRequest(string? Name, string? Password);
