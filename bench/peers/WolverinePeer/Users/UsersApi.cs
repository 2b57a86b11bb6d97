using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;

namespace WolverinePeer.Users;

/// <summary>
/// UserService's <c>/v1/users</c> write endpoints as the load generator uses them: the same JSON,
/// status codes, validation, ETag and If-Match rules. Both outbox modes sit behind
/// <see cref="IUserWriter"/>.
/// </summary>
public static class UsersApi
{
    /// <summary>Maps <c>POST /v1/users</c>, <c>PATCH</c> and <c>DELETE /v1/users/{id}</c>.</summary>
    public static RouteGroupBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/users");
        group.MapPost("/", CreateAsync);
        group.MapPatch("/{id}", UpdateAsync);
        group.MapDelete("/{id}", DeleteAsync);
        return group;
    }

    private static async Task<Results<Created<UserResponse>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        HttpContext context, IUserWriter writer, PasswordHashing passwords, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadAsync(context.Request, PeerJsonContext.Default.CreateUserRequest, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        var name = ValidName(body!.Name, errors, required: true);
        var password = ValidPassword(body.Password, errors, required: true);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = time.GetUtcNow();
        var user = new User { Id = Guid.CreateVersion7().ToString(), Name = name!, PasswordHash = passwords.Hash(password!), Version = 1, CreatedAt = now, UpdatedAt = now };
        await writer.CreateAsync(user, cancellationToken);
        context.Response.Headers.ETag = ETag(user);
        return TypedResults.Created($"/v1/users/{user.Id}", UserResponse.From(user));
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        string id, HttpRequest request, IUserWriter writer, PasswordHashing passwords, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!IsUserId(id))
        {
            return InvalidId();
        }

        if (!TryReadIfMatch(request, out var expectedVersion))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid If-Match", "If-Match must be an ETag returned by this API or *.");
        }

        var (body, problem) = await ReadAsync(request, PeerJsonContext.Default.UpdateUserRequest, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        var name = ValidName(body!.Name, errors, required: false);
        var password = ValidPassword(body.Password, errors, required: false);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (name is null && password is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Give name, password, or both."] });
        }

        // Hashed outside the write transaction, as UserService does: it is deliberately slow.
        var update = new UserUpdate(name, password is null ? null : passwords.Hash(password), time.GetUtcNow());
        var (outcome, user) = await writer.UpdateAsync(id, expectedVersion, update, cancellationToken);
        switch (outcome)
        {
            case WriteOutcome.NotFound:
                return UserNotFound(id);
            case WriteOutcome.VersionMismatch:
                return StaleVersion();
            default:
                request.HttpContext.Response.Headers.ETag = ETag(user!);
                return TypedResults.Ok(UserResponse.From(user!));
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, HttpRequest request, IUserWriter writer, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!IsUserId(id))
        {
            return InvalidId();
        }

        if (!TryReadIfMatch(request, out var expectedVersion))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid If-Match", "If-Match must be an ETag returned by this API or *.");
        }

        return await writer.DeleteAsync(id, expectedVersion, time.GetUtcNow(), cancellationToken) switch
        {
            WriteOutcome.NotFound => UserNotFound(id),
            WriteOutcome.VersionMismatch => StaleVersion(),
            _ => TypedResults.NoContent(),
        };
    }

    private static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "The body must be application/json."));
        }

        try
        {
            var value = await request.ReadFromJsonAsync(typeInfo, cancellationToken);
            return value is null ? (null, Problem(StatusCodes.Status400BadRequest, "Invalid body", "The body must be a JSON object, not null.")) : (value, null);
        }
        catch (JsonException)
        {
            return (null, Problem(StatusCodes.Status400BadRequest, "Invalid JSON", "The body is not the documented JSON object."));
        }
    }

    private static string? ValidName(string? name, Dictionary<string, string[]> errors, bool required)
    {
        if (name is null)
        {
            if (required)
            {
                errors["name"] = ["name is required."];
            }

            return null;
        }

        var trimmed = name.Trim();
        if (trimmed.Length is < 1 or > 100 || trimmed.Any(char.IsControl))
        {
            errors["name"] = ["name must be 1 to 100 characters after trimming, without control characters."];
            return null;
        }

        return trimmed;
    }

    private static string? ValidPassword(string? password, Dictionary<string, string[]> errors, bool required)
    {
        if (password is null)
        {
            if (required)
            {
                errors["password"] = ["password is required."];
            }

            return null;
        }

        if (password.Length is < 8 or > 128)
        {
            errors["password"] = ["password must be 8 to 128 characters."];
            return null;
        }

        return password;
    }

    private static bool IsUserId(string id) => id.Length == 36 && Guid.TryParseExact(id, "D", out _);

    private static string ETag(User user) => string.Create(CultureInfo.InvariantCulture, $"\"{user.Version}\"");

    /// <summary>If-Match: absent or <c>*</c> means any version; otherwise one strong ETag.</summary>
    private static bool TryReadIfMatch(HttpRequest request, out long? version)
    {
        version = null;
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0 || header == "*")
        {
            return true;
        }

        if (header.Length > 2 && header[0] == '"' && header[^1] == '"'
            && long.TryParse(header.AsSpan(1, header.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var v))
        {
            version = v;
            return true;
        }

        return false;
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);

    private static ProblemHttpResult InvalidId() =>
        Problem(StatusCodes.Status400BadRequest, "Invalid user id", "A user id is a UUID such as 0190a5c4-2f1e-7c3a-9d2b-4e5f6a7b8c9d.");

    private static ProblemHttpResult UserNotFound(string id) =>
        Problem(StatusCodes.Status404NotFound, "User not found", $"There is no user {id}.");

    private static ProblemHttpResult StaleVersion() =>
        Problem(StatusCodes.Status412PreconditionFailed, "Version mismatch", "The user changed since the ETag in If-Match was read; read it again and retry.");
}
