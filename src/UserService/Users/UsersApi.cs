using System.ComponentModel;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using UserService.Events;
using UserService.Sessions;

namespace UserService.Users;

/// <summary>
/// <c>/v1/users</c>: create, read, list, update and delete users. Registration is open (and
/// rate-limited per client address); everything else needs an access token: users act on
/// themselves, administrators on everyone, and only administrators list users.
/// </summary>
public static class UsersApi
{
    /// <summary>Largest page.</summary>
    public const int MaxPageSize = 100;

    // What the OpenAPI document says of the parameters several operations share.
    private const string IdDescription = "The user's id.";
    private const string IfMatchDescription = "The user's ETag as last read: the change applies only if the user has not changed since (412 otherwise); absent or * applies to any version.";

    /// <summary>Longest accepted Idempotency-Key.</summary>
    public const int MaxIdempotencyKeyLength = 200;

    /// <summary>The original design's creation path, served as a deprecated alias of <c>POST /v1/users</c>.</summary>
    public const string DeprecatedCreatePath = "/v1/user";

    // RFC 9745: the date the alias was deprecated, a Structured Field Date (seconds since the epoch): 2026-11-30.
    private const string DeprecatedSince = "@1795996800";

    /// <summary>Maps the endpoints.</summary>
    /// <remarks>
    /// The responses listed are the ones the handlers give; the 401 of a missing or bad token is
    /// documented from the authorization metadata (<c>AddSecuritySchemes</c>). A 503 answers a busy
    /// password hasher, or a write the database could not take now (ServiceDefaults).
    /// </remarks>
    public static RouteGroupBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/users").WithTags("Users").RequireAuthorization();
        group.MapPost("/", CreateAsync).WithName("CreateUser").WithSummary("Creates a user").AllowAnonymous().WithCreateResponses();
        // The original design created users at POST /v1/user: still served, by the same handler, and
        // marked deprecated (RFC 9745) with a link to its successor, so old clients keep working and learn where to go.
        app.MapPost(DeprecatedCreatePath, CreateAsync).WithTags("Users").WithName("CreateUserDeprecated")
            .WithSummary("Creates a user at the original path; use POST /v1/users").AllowAnonymous().WithCreateResponses()
            .AddEndpointFilter((invocation, next) =>
            {
                var headers = invocation.HttpContext.Response.Headers;
                headers["Deprecation"] = DeprecatedSince;
                headers.Link = "</v1/users>; rel=\"successor-version\"";
                return next(invocation);
            })
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Deprecated = true;
                return Task.CompletedTask;
            });
        group.MapGet("/", ListAsync).WithName("ListUsers").WithSummary("Every user, a page at a time (administrators)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/{id}", GetAsync).WithName("GetUser").WithSummary("One user, with its ETag")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{id}", ([Description(IdDescription)] string id, [FromHeader(Name = "If-Match")][Description(IfMatchDescription)] string? ifMatch,
                HttpContext context, [AsParameters] UserServices services, CancellationToken ct) =>
                UserUpdates.UpdateAsync(id, ifMatch, context, services, replace: true, ct))
            .WithName("ReplaceUser").WithSummary("Replaces the fields a user may change").WithUpdateResponses();
        group.MapPatch("/{id}", ([Description(IdDescription)] string id, [FromHeader(Name = "If-Match")][Description(IfMatchDescription)] string? ifMatch,
                HttpContext context, [AsParameters] UserServices services, CancellationToken ct) =>
                UserUpdates.UpdateAsync(id, ifMatch, context, services, replace: false, ct))
            .WithName("UpdateUser").WithSummary("Changes the fields the body names").WithUpdateResponses();
        group.MapDelete("/{id}", DeleteAsync).WithName("DeleteUser").WithSummary("Deletes a user")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    private static RouteHandlerBuilder WithCreateResponses(this RouteHandlerBuilder endpoint) =>
        endpoint.RequireRateLimiting(UserAuthentication.RegistrationPolicy)
            .Accepts<CreateUserRequest>("application/json").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static RouteHandlerBuilder WithUpdateResponses(this RouteHandlerBuilder endpoint) =>
        endpoint.Accepts<UpdateUserRequest>("application/json").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static async Task<Results<Created<UserResponse>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        [FromHeader(Name = "Idempotency-Key")][Description("Makes a retry safe: a repeat with the same key and body gets the first answer, and creates nothing.")] string? idempotencyKey,
        HttpContext context, [AsParameters] UserServices services, CancellationToken cancellationToken)
    {
        idempotencyKey ??= "";
        if (idempotencyKey.Length > MaxIdempotencyKeyLength || idempotencyKey.Any(char.IsControl))
        {
            return JsonBody.Problem(StatusCodes.Status400BadRequest, "Invalid Idempotency-Key", $"Idempotency-Key must be at most {MaxIdempotencyKeyLength} printable characters.");
        }

        var (body, problem) = await JsonBody.ReadAsync(context.Request, UserJsonContext.Default.CreateUserRequest, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        var name = UserRules.Name(body!.Name, errors, required: true);
        var password = UserRules.Password(body.Password, errors, required: true);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // A replay is answered before the password is hashed: it costs no PBKDF2 run.
        // Keys are scoped to the caller: another caller's key is a different key.
        var scopedKey = idempotencyKey.Length == 0 ? null : IdempotencyKeys.Scope(Caller.From(context.User).UserId, idempotencyKey);
        var idempotency = scopedKey is null ? null : new IdempotentRequest(scopedKey, services.Idempotency.RequestHash(scopedKey, name!, password!));
        if (idempotency is not null && await services.Idempotency.FindAsync(idempotency.Key, cancellationToken) is { } earlier)
        {
            return Replay(context, earlier, idempotency);
        }

        var now = services.Time.GetUtcNow();
        var user = new User(Guid.CreateVersion7().ToString(), name!, await services.Passwords.HashAsync(password!, cancellationToken), 1, now, now);
        var result = await services.Store.CreateAsync(
            user,
            services.Events.Create(UserEventTypes.Created, user.Id, user.Version, user.CreatedAt, Caller.From(context.User).Actor),
            idempotency,
            u => JsonSerializer.Serialize(UserResponse.From(u), UserJsonContext.Default.UserResponse),
            cancellationToken);
        if (result.Previous is { } previous)
        {
            return Replay(context, previous, idempotency!);
        }

        context.Response.Headers.ETag = user.ETag;
        return TypedResults.Created($"/v1/users/{user.Id}", UserResponse.From(user));
    }

    /// <summary>
    /// The first answer when the replay asks what the first request asked (same key, name and
    /// password, compared by keyed hash), else 409: the answer never depends on the user's current password.
    /// </summary>
    private static Results<Created<UserResponse>, ProblemHttpResult, ValidationProblem> Replay(
        HttpContext context, IdempotentReplay previous, IdempotentRequest replay)
    {
        if (!IdempotencyKeys.SameRequest(previous, replay))
        {
            return JsonBody.Problem(StatusCodes.Status409Conflict, "Idempotency-Key reused", "This Idempotency-Key was used for a different request.");
        }

        var response = JsonSerializer.Deserialize(previous.Response, UserJsonContext.Default.UserResponse)!;
        context.Response.Headers.ETag = $"\"{response.Version}\"";
        return TypedResults.Created($"/v1/users/{response.Id}", response);
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetAsync(
        [Description(IdDescription)] string id, HttpContext context, UserStore store, CancellationToken cancellationToken)
    {
        if (!UserIds.IsValid(id))
        {
            return UserProblems.InvalidId();
        }

        // Rights before existence: another user's id gets 403 whether or not it exists.
        if (!Caller.From(context.User).MayAct(id))
        {
            return UserProblems.Forbidden();
        }

        var user = await store.FindAsync(id, cancellationToken);
        if (user is null)
        {
            return UserProblems.NotFound(id);
        }

        context.Response.Headers.ETag = user.ETag;
        return TypedResults.Ok(UserResponse.From(user));
    }

    private static async Task<Results<Ok<UserPage>, ProblemHttpResult>> ListAsync(
        HttpContext context, UserStore store, [Description("The nextCursor of the previous page.")] string? cursor,
        [Description("Page size, 1 to 100; 50 by default.")] int? limit, CancellationToken cancellationToken)
    {
        if (!Caller.From(context.User).IsAdmin)
        {
            return UserProblems.AdministratorsOnly();
        }

        var size = limit ?? 50;
        if (size is < 1 or > MaxPageSize)
        {
            return JsonBody.Problem(StatusCodes.Status400BadRequest, "Invalid limit", $"limit must be between 1 and {MaxPageSize}.");
        }

        if (cursor is not null && !UserIds.IsValid(cursor))
        {
            return JsonBody.Problem(StatusCodes.Status400BadRequest, "Invalid cursor", "cursor must be the nextCursor of a previous page.");
        }

        var users = await store.ListAsync(cursor, size + 1, cancellationToken);
        var page = users.Take(size).Select(UserResponse.From).ToList();
        return TypedResults.Ok(new UserPage(page, users.Count > size ? page[^1].Id : null));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        [Description(IdDescription)] string id, [FromHeader(Name = "If-Match")][Description(IfMatchDescription)] string? ifMatch, HttpContext context,
        [AsParameters] UserServices services, CancellationToken cancellationToken)
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

        var outcome = await services.Store.DeleteAsync(id, expectedVersion,
            u => services.Events.Create(UserEventTypes.Deleted, u.Id, u.Version + 1, services.Time.GetUtcNow(), caller.Actor), cancellationToken);
        if (outcome == WriteOutcome.Done)
        {
            // Its tokens end with it.
            services.Access.Set(id, null);
        }

        return outcome switch
        {
            WriteOutcome.NotFound => UserProblems.NotFound(id),
            WriteOutcome.VersionMismatch => UserProblems.StaleVersion(),
            _ => TypedResults.NoContent(),
        };
    }
}
