namespace UserAudit.LoadTest.Load;

/// <summary>Who the load generator signs in as: an administrator, since it acts on many users (UserService's service-to-service rule).</summary>
/// <param name="UserId">The administrator's user id.</param>
/// <param name="Password">Its password.</param>
public sealed record SignInCredentials(string UserId, string Password);
