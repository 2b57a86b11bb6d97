namespace UserService.Sessions;

/// <summary>How a sign-in ended.</summary>
/// <param name="Token">The access token, when it succeeded.</param>
/// <param name="RetryAfter">How long to wait, when it was throttled (rate limit or lockout).</param>
public sealed record SignInOutcome(AccessToken? Token, TimeSpan? RetryAfter)
{
    /// <summary>Wrong credentials, whatever was wrong: one answer for all.</summary>
    public static SignInOutcome Refused { get; } = new(null, null);

    /// <summary>Too many attempts: try again after <paramref name="retryAfter"/>.</summary>
    public static SignInOutcome Throttled(TimeSpan retryAfter) => new(null, retryAfter);
}
