using System.ComponentModel.DataAnnotations;

namespace UserService.Sessions;

/// <summary>Sign-in, access tokens and brute-force limits; section <c>Auth</c>.</summary>
public sealed class AuthOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Auth";

    /// <summary>Shortest signing key accepted: 32 characters, 256 bits when they are random.</summary>
    public const int MinSigningKeyLength = 32;

    /// <summary>
    /// The HMAC-SHA256 key access tokens are signed with (environment variable <c>Auth__SigningKey</c>;
    /// the AppHost passes its <c>user-token-signing-key</c> secret parameter). Never logged.
    /// </summary>
    public string SigningKey { get; set; } = "";

    /// <summary>The tokens' <c>iss</c>; validation requires it.</summary>
    [Required]
    public string Issuer { get; set; } = "urn:useraudit:user-service";

    /// <summary>The tokens' <c>aud</c>; validation requires it.</summary>
    [Required]
    public string Audience { get; set; } = "urn:useraudit:users-api";

    /// <summary>How long an access token is valid.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Consecutive failed sign-ins of one account that lock it.</summary>
    [Range(1, 1000)]
    public int MaxFailedSignIns { get; set; } = 5;

    /// <summary>How long a locked account refuses every sign-in, the right password included.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Sign-in attempts per account per minute (ASP.NET Core's rate limiter), whatever the address.</summary>
    [Range(1, 100_000)]
    public int SignInsPerAccountPerMinute { get; set; } = 10;

    /// <summary>Sign-in attempts per client address per minute.</summary>
    [Range(1, 1_000_000)]
    public int SignInsPerAddressPerMinute { get; set; } = 30;

    /// <summary>Anonymous registrations (<c>POST /v1/users</c>) per client address per minute; administrators are not limited.</summary>
    [Range(1, 1_000_000)]
    public int RegistrationsPerAddressPerMinute { get; set; } = 10;

    /// <summary>
    /// How long a replica trusts what it read about a user (token version, role, existence) when
    /// validating tokens. Changes on this replica apply at once; another replica's revocation
    /// (password change, deletion) reaches this one within this time. Token validation reads the
    /// database at most once per user per period, never per request.
    /// </summary>
    public TimeSpan UserCacheTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The first administrator, created at start when missing (the AppHost passes it from parameters).</summary>
    public BootstrapAdminOptions BootstrapAdmin { get; set; } = new();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SigningKey.Length < MinSigningKeyLength)
        {
            yield return new ValidationResult(
                $"{SectionName}:SigningKey is required and must be at least {MinSigningKeyLength} characters: UserService signs access tokens with it. "
                + "Set it, e.g. through the environment variable Auth__SigningKey.", [nameof(SigningKey)]);
        }

        if (AccessTokenLifetime < TimeSpan.FromMinutes(1) || AccessTokenLifetime > TimeSpan.FromHours(24))
        {
            yield return new ValidationResult($"{SectionName}:AccessTokenLifetime must be between 1 minute and 24 hours.", [nameof(AccessTokenLifetime)]);
        }

        if (LockoutDuration <= TimeSpan.Zero || UserCacheTtl < TimeSpan.Zero)
        {
            yield return new ValidationResult($"{SectionName}:LockoutDuration must be positive and {SectionName}:UserCacheTtl not negative.", [nameof(LockoutDuration)]);
        }

        foreach (var result in BootstrapAdmin.Validate($"{SectionName}:BootstrapAdmin"))
        {
            yield return result;
        }
    }
}
