using Microsoft.AspNetCore.Http.HttpResults;

namespace UserService.Users;

/// <summary>The users API's error answers, worded once.</summary>
internal static class UserProblems
{
    public static ProblemHttpResult InvalidId() =>
        JsonBody.Problem(StatusCodes.Status400BadRequest, "Invalid user id", "A user id is a UUID such as 0190a5c4-2f1e-7c3a-9d2b-4e5f6a7b8c9d.");

    public static ProblemHttpResult InvalidIfMatch() =>
        JsonBody.Problem(StatusCodes.Status400BadRequest, "Invalid If-Match", "If-Match must be an ETag returned by this API or *.");

    public static ProblemHttpResult NotFound(string id) =>
        JsonBody.Problem(StatusCodes.Status404NotFound, "User not found", $"There is no user {id}.");

    public static ProblemHttpResult StaleVersion() =>
        JsonBody.Problem(StatusCodes.Status412PreconditionFailed, "Version mismatch", "The user changed since the ETag in If-Match was read; read it again and retry.");

    /// <summary>The same answer whether or not the other user exists.</summary>
    public static ProblemHttpResult Forbidden() =>
        JsonBody.Problem(StatusCodes.Status403Forbidden, "Forbidden", "A user may read, change and delete itself only; administrators may act on every user.");

    public static ProblemHttpResult AdministratorsOnly() =>
        JsonBody.Problem(StatusCodes.Status403Forbidden, "Forbidden", "Only administrators may list users.");

    public static ProblemHttpResult PasswordChecksThrottled(HttpResponse response, TimeSpan wait) =>
        JsonBody.TooManyRequests(response, wait, "Too many password attempts",
            "This account is locked or its password was tried too often; retry after the time in Retry-After.");

    public static ProblemHttpResult WrongCurrentPassword() =>
        JsonBody.Problem(StatusCodes.Status403Forbidden, "Current password is wrong", "Changing your own password needs your current password in 'currentPassword'.");
}
