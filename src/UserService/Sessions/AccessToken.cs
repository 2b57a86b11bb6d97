namespace UserService.Sessions;

/// <summary>A signed access token and when it expires.</summary>
/// <param name="Token">The JWT (compact form).</param>
/// <param name="ExpiresAt">Its <c>exp</c>.</param>
public sealed record AccessToken(string Token, DateTimeOffset ExpiresAt);
