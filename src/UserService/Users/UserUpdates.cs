using Microsoft.AspNetCore.Http.HttpResults;
using UserService.Events;
using UserService.Outbox;
using UserService.Sessions;

namespace UserService.Users;

/// <summary>
/// <c>PUT</c> and <c>PATCH /v1/users/{id}</c>. Everything cheap is checked before any password is
/// hashed (the caller's rights, the user, its version, the body), and users changing their own
/// password must give the current one. A password change raises the user's token version, which
/// ends every token issued so far; users who changed their own get a new one in the answer.
/// </summary>
internal static class UserUpdates
{
    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        string id, string? ifMatch, HttpContext context, UserServices services, bool replace, CancellationToken cancellationToken)
    {
        if (!UserIds.IsValid(id))
        {
            return UserProblems.InvalidId();
        }

        var caller = Caller.From(context.User);
        if (!caller.MayAct(id))
        {
            return UserProblems.Forbidden();
        }

        if (!IfMatch.TryRead(ifMatch, out var expectedVersion))
        {
            return UserProblems.InvalidIfMatch();
        }

        var (body, problem) = await JsonBody.ReadAsync(context.Request, UserJsonContext.Default.UpdateUserRequest, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var self = caller.UserId == id;
        var errors = new Dictionary<string, string[]>();
        var name = UserRules.Name(body!.Name, errors, required: replace);
        var password = UserRules.Password(body.Password, errors, required: false);
        if (password is not null && self && string.IsNullOrEmpty(body.CurrentPassword))
        {
            errors["currentPassword"] = ["Changing your own password needs your current password."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (name is null && password is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Give name, password, or both."] });
        }

        string? newHash = null;
        if (password is not null)
        {
            // The current password is checked, and the new one hashed, against the stored user
            // before anything is written. A rename needs no such read: the write itself finds the
            // user and checks its version, inside its transaction.
            var current = await services.Store.FindAsync(id, cancellationToken);
            if (current is null)
            {
                return UserProblems.NotFound(id);
            }

            if (expectedVersion is not null && expectedVersion != current.Version)
            {
                return UserProblems.StaleVersion();
            }

            // A stolen token must not make guessing the password cheaper than signing in: the check
            // has a sign-in's rate, lockout and failure count.
            if (self && await services.SignIn.CheckCurrentPasswordAsync(current, body.CurrentPassword!, cancellationToken) is { } refused)
            {
                return refused.RetryAfter is { } wait ? UserProblems.PasswordChecksThrottled(context.Response, wait) : UserProblems.WrongCurrentPassword();
            }

            // The password was checked against this version: write only over it.
            expectedVersion = current.Version;
            newHash = await services.Passwords.HashAsync(password, cancellationToken);
        }

        var now = services.Time.GetUtcNow();
        var (outcome, user) = await services.Store.UpdateAsync(id, expectedVersion, (existing, version) =>
        {
            var events = new List<OutboxMessage>(3);
            var updated = existing with { UpdatedAt = now };
            if (name is not null && name != existing.Name)
            {
                updated = updated with { Name = name };
                events.Add(services.Events.Updated(id, version, ["name"], now, caller.Actor));
            }

            if (newHash is not null)
            {
                updated = updated with { PasswordHash = newHash, TokenVersion = existing.TokenVersion + 1 };
                events.Add(services.Events.Create(UserEventTypes.PasswordChanged, id, version, now, caller.Actor));
                events.Add(services.Events.Session(UserEventTypes.TokensRevoked, new SessionEventData(id, "password_changed"), now, caller.Actor));
            }

            return (updated, events);
        }, cancellationToken);

        switch (outcome)
        {
            case WriteOutcome.NotFound:
                return UserProblems.NotFound(id);
            case WriteOutcome.VersionMismatch:
                return UserProblems.StaleVersion();
        }

        services.Access.Set(id, new UserAccess(user!.IsAdmin, user.TokenVersion));
        context.Response.Headers.ETag = user.ETag;
        var response = UserResponse.From(user);
        if (newHash is not null && self)
        {
            context.Response.Headers.CacheControl = "no-store";
            response = response with { Session = SessionResponse.From(services.Tokens.Issue(user), services.Time.GetUtcNow()) };
        }

        return TypedResults.Ok(response);
    }
}
