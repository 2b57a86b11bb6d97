namespace UserService.Sessions;

/// <summary>An access token as the API hands it out.</summary>
/// <param name="AccessToken">The JWT, to send as <c>Authorization: Bearer &lt;token&gt;</c>.</param>
/// <param name="TokenType">Always <c>Bearer</c>.</param>
/// <param name="ExpiresIn">Seconds until it expires.</param>
/// <param name="ExpiresAt">When it expires.</param>
public sealed record SessionResponse(string AccessToken, string TokenType, long ExpiresIn, DateTimeOffset ExpiresAt)
{
    /// <summary>The response for a token issued at <paramref name="now"/>.</summary>
    public static SessionResponse From(AccessToken token, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(token);
        return new(token.Token, "Bearer", (long)(token.ExpiresAt - now).TotalSeconds, token.ExpiresAt);
    }
}
