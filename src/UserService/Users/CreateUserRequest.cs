namespace UserService.Users;

/// <summary>Body of <c>POST /v1/users</c>.</summary>
public sealed record CreateUserRequest(string? Name, string? Password);
