using Microsoft.AspNetCore.Http.HttpResults;
using UserService.Users;

namespace UserService.Sessions;

/// <summary><c>/v1/sessions</c>: sign in with a user id and password, get a short-lived access token.</summary>
public static class SessionsApi
{
    /// <summary>Maps the endpoint.</summary>
    public static RouteGroupBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/sessions").WithTags("Sessions").AllowAnonymous();
        group.MapPost("/", SignInAsync).WithName("SignIn").WithSummary("Signs in with a user id and password and returns an access token")
            .Accepts<SignInRequest>("application/json")
            .RequireRateLimiting(UserAuthentication.SignInPolicy)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    private static async Task<Results<Ok<SessionResponse>, ProblemHttpResult, ValidationProblem>> SignInAsync(
        HttpContext context, SignInService signIn, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync(context.Request, SessionJsonContext.Default.SignInRequest, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        if (body!.UserId is null || !UserIds.IsValid(body.UserId))
        {
            errors["userId"] = ["A user id is a UUID such as 0190a5c4-2f1e-7c3a-9d2b-4e5f6a7b8c9d."];
        }

        if (string.IsNullOrEmpty(body.Password) || body.Password.Length > UserRules.PasswordMax)
        {
            errors["password"] = [$"The password is required and at most {UserRules.PasswordMax} characters."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var outcome = await signIn.SignInAsync(body.UserId!, body.Password!, cancellationToken);
        if (outcome.Token is { } token)
        {
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Ok(SessionResponse.From(token, time.GetUtcNow()));
        }

        if (outcome.RetryAfter is { } wait)
        {
            return JsonBody.TooManyRequests(context.Response, wait, "Too many sign-in attempts",
                "This account is locked or was tried too often; retry after the time in Retry-After.");
        }

        // One answer whatever was wrong: it must not tell which ids exist.
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return JsonBody.Problem(StatusCodes.Status401Unauthorized, "Sign-in failed", "The user id or the password is wrong.");
    }
}
