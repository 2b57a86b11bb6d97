namespace UserService.Sessions;

/// <summary>Body of <c>POST /v1/sessions</c>.</summary>
/// <param name="UserId">The user's id.</param>
/// <param name="Password">Its password.</param>
public sealed record SignInRequest(string? UserId, string? Password);
