namespace WolverinePeer.Users;

/// <summary>Body of <c>POST /v1/users</c>, as UserService reads it.</summary>
public sealed record CreateUserRequest(string? Name, string? Password);
