namespace UserService.Users;

/// <summary>Body of <c>PUT</c> and <c>PATCH /v1/users/{id}</c>: each field present is changed.</summary>
/// <param name="Name">The new name.</param>
/// <param name="Password">The new password.</param>
/// <param name="CurrentPassword">The current password: required when users change their own password.</param>
public sealed record UpdateUserRequest(string? Name, string? Password, string? CurrentPassword = null);
