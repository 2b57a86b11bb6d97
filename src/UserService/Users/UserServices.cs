using Microsoft.AspNetCore.Mvc;
using UserService.Events;
using UserService.Sessions;

namespace UserService.Users;

/// <summary>Dependencies of the user endpoints.</summary>
/// <remarks>Each marked as a service: the request delegate generated at compile time would otherwise
/// treat any of them as a possible JSON body, and document one on every endpoint that takes this.</remarks>
public sealed record UserServices(
    [FromServices] UserStore Store, [FromServices] PasswordHashing Passwords, [FromServices] UserEventFactory Events, [FromServices] TimeProvider Time,
    [FromServices] IdempotencyKeys Idempotency, [FromServices] AccessTokens Tokens, [FromServices] UserAccessCache Access, [FromServices] SignInService SignIn);
