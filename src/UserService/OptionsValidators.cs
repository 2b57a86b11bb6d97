using Microsoft.Extensions.Options;
using UserService.Events;
using UserService.Outbox;
using UserService.Sessions;
using UserService.Users;

namespace UserService;

// The data annotations (and IValidatableObject checks) of UserService's options, checked by code
// generated at compile time instead of by reflection.

/// <summary>Validates <see cref="EventOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class EventOptionsValidator : IValidateOptions<EventOptions>;

/// <summary>Validates <see cref="OutboxOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class OutboxOptionsValidator : IValidateOptions<OutboxOptions>;

/// <summary>Validates <see cref="PasswordOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class PasswordOptionsValidator : IValidateOptions<PasswordOptions>;

/// <summary>Validates <see cref="IdempotencyOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class IdempotencyOptionsValidator : IValidateOptions<IdempotencyOptions>;

/// <summary>Validates <see cref="AuthOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class AuthOptionsValidator : IValidateOptions<AuthOptions>;
