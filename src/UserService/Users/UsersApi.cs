using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using UserService.Events;

namespace UserService.Users;

/// <summary>Dependencies of the user endpoints.</summary>
public sealed record UserServices(UserStore Store, PasswordHashing Passwords, UserEventFactory Events, IdempotencyKeys Idempotency, TimeProvider Time);

/// <summary><c>/v1/users</c>: create, read, list, update and delete users.</summary>
public static class UsersApi
{
    /// <summary>Largest page.</summary>
    public const int MaxPageSize = 100;

    /// <summary>Longest accepted Idempotency-Key.</summary>
    public const int MaxIdempotencyKeyLength = 200;

    /// <summary>Maps the endpoints.</summary>
    public static RouteGroupBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/users").WithTags("Users");
        group.MapPost("/", CreateAsync).WithName("CreateUser")
            .Accepts<CreateUserRequest>("application/json").ProducesValidationProblem();
        group.MapGet("/", ListAsync).WithName("ListUsers");
        group.MapGet("/{id}", GetAsync).WithName("GetUser");
        group.MapPut("/{id}", (string id, HttpRequest request, [AsParameters] UserServices services, CancellationToken ct) => UpdateAsync(id, request, services, replace: true, ct))
            .WithName("ReplaceUser").Accepts<UpdateUserRequest>("application/json").ProducesValidationProblem();
        group.MapPatch("/{id}", (string id, HttpRequest request, [AsParameters] UserServices services, CancellationToken ct) => UpdateAsync(id, request, services, replace: false, ct))
            .WithName("UpdateUser").Accepts<UpdateUserRequest>("application/json").ProducesValidationProblem();
        group.MapDelete("/{id}", DeleteAsync).WithName("DeleteUser");
        return group;
    }

    private static async Task<Results<Created<UserResponse>, Ok<UserResponse>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        HttpContext context, [AsParameters] UserServices services, CancellationToken cancellationToken)
    {
        var idempotencyKey = context.Request.Headers["Idempotency-Key"].ToString();
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
        var idempotency = idempotencyKey.Length == 0 ? null : new IdempotentRequest(idempotencyKey, services.Idempotency.RequestHash(idempotencyKey, name!, password!));
        if (idempotency is not null && await services.Idempotency.FindAsync(idempotencyKey, cancellationToken) is { } earlier)
        {
            return Replay(context, earlier, idempotency);
        }

        var now = services.Time.GetUtcNow();
        var user = new User(Guid.CreateVersion7().ToString(), name!, services.Passwords.Hash(password!), 1, now, now);
        var result = await services.Store.CreateAsync(
            user,
            services.Events.Create(UserEventTypes.Created, user.Id, user.CreatedAt),
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
    private static Results<Created<UserResponse>, Ok<UserResponse>, ProblemHttpResult, ValidationProblem> Replay(
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
        string id, HttpContext context, UserStore store, CancellationToken cancellationToken)
    {
        if (!IsUserId(id))
        {
            return InvalidId();
        }

        var user = await store.FindAsync(id, cancellationToken);
        if (user is null)
        {
            return UserNotFound(id);
        }

        context.Response.Headers.ETag = user.ETag;
        return TypedResults.Ok(UserResponse.From(user));
    }

    private static async Task<Results<Ok<UserPage>, ProblemHttpResult>> ListAsync(
        UserStore store, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        var size = limit ?? 50;
        if (size is < 1 or > MaxPageSize)
        {
            return JsonBody.Problem(StatusCodes.Status400BadRequest, "Invalid limit", $"limit must be between 1 and {MaxPageSize}.");
        }

        if (cursor is not null && !IsUserId(cursor))
        {
            return JsonBody.Problem(StatusCodes.Status400BadRequest, "Invalid cursor", "cursor must be the nextCursor of a previous page.");
        }

        var users = await store.ListAsync(cursor, size + 1, cancellationToken);
        var page = users.Take(size).Select(UserResponse.From).ToList();
        return TypedResults.Ok(new UserPage(page, users.Count > size ? page[^1].Id : null));
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        string id, HttpRequest request, UserServices services, bool replace, CancellationToken cancellationToken)
    {
        if (!IsUserId(id))
        {
            return InvalidId();
        }

        if (!TryReadIfMatch(request, out var expectedVersion))
        {
            return JsonBody.Problem(StatusCodes.Status400BadRequest, "Invalid If-Match", "If-Match must be an ETag returned by this API or *.");
        }

        var (body, problem) = await JsonBody.ReadAsync(request, UserJsonContext.Default.UpdateUserRequest, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        var name = UserRules.Name(body!.Name, errors, required: replace);
        var password = UserRules.Password(body.Password, errors, required: false);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (name is null && password is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Give name, password, or both."] });
        }

        // Hash outside the write transaction: it is deliberately slow.
        var newHash = password is null ? null : services.Passwords.Hash(password);
        var now = services.Time.GetUtcNow();
        var (outcome, user) = await services.Store.UpdateAsync(id, expectedVersion, current =>
        {
            var events = new List<Outbox.OutboxMessage>(2);
            var updated = current with { UpdatedAt = now };
            if (name is not null && name != current.Name)
            {
                updated = updated with { Name = name };
                events.Add(services.Events.Updated(id, ["name"], now));
            }

            if (newHash is not null)
            {
                updated = updated with { PasswordHash = newHash };
                events.Add(services.Events.Create(UserEventTypes.PasswordChanged, id, now));
            }

            return (updated, events);
        }, cancellationToken);

        switch (outcome)
        {
            case WriteOutcome.NotFound:
                return UserNotFound(id);
            case WriteOutcome.VersionMismatch:
                return StaleVersion();
            default:
                request.HttpContext.Response.Headers.ETag = user!.ETag;
                return TypedResults.Ok(UserResponse.From(user));
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, HttpRequest request, [AsParameters] UserServices services, CancellationToken cancellationToken)
    {
        if (!IsUserId(id))
        {
            return InvalidId();
        }

        if (!TryReadIfMatch(request, out var expectedVersion))
        {
            return JsonBody.Problem(StatusCodes.Status400BadRequest, "Invalid If-Match", "If-Match must be an ETag returned by this API or *.");
        }

        var outcome = await services.Store.DeleteAsync(id, expectedVersion, u => services.Events.Create(UserEventTypes.Deleted, u.Id, services.Time.GetUtcNow()), cancellationToken);
        return outcome switch
        {
            WriteOutcome.NotFound => UserNotFound(id),
            WriteOutcome.VersionMismatch => StaleVersion(),
            _ => TypedResults.NoContent(),
        };
    }

    private static bool IsUserId(string id) => id.Length == 36 && Guid.TryParseExact(id, "D", out _);

    /// <summary>Reads If-Match: absent or <c>*</c> means any version; otherwise one strong ETag.</summary>
    private static bool TryReadIfMatch(HttpRequest request, out long? version)
    {
        version = null;
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0 || header == "*")
        {
            return true;
        }

        if (header.Length > 2 && header[0] == '"' && header[^1] == '"'
            && long.TryParse(header.AsSpan(1, header.Length - 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v))
        {
            version = v;
            return true;
        }

        return false;
    }

    private static ProblemHttpResult InvalidId() =>
        JsonBody.Problem(StatusCodes.Status400BadRequest, "Invalid user id", "A user id is a UUID such as 0190a5c4-2f1e-7c3a-9d2b-4e5f6a7b8c9d.");

    private static ProblemHttpResult UserNotFound(string id) =>
        JsonBody.Problem(StatusCodes.Status404NotFound, "User not found", $"There is no user {id}.");

    private static ProblemHttpResult StaleVersion() =>
        JsonBody.Problem(StatusCodes.Status412PreconditionFailed, "Version mismatch", "The user changed since the ETag in If-Match was read; read it again and retry.");
}
