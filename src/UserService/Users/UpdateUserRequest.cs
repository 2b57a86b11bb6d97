namespace UserService.Users;

/// <summary>Body of <c>PUT</c> and <c>PATCH /v1/users/{id}</c>: each field present is changed.</summary>
public sealed record UpdateUserRequest(string? Name, string? Password);
