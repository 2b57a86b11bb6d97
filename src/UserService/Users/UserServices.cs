using UserService.Events;
using UserService.Sessions;

namespace UserService.Users;

/// <summary>Dependencies of the user endpoints.</summary>
public sealed record UserServices(
    UserStore Store, PasswordHashing Passwords, UserEventFactory Events, TimeProvider Time,
    IdempotencyKeys Idempotency, AccessTokens Tokens, UserAccessCache Access, SignInService SignIn);
