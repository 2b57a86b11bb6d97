using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace UserService.Users;

/// <summary>
/// Hashes passwords with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (format v3:
/// PBKDF2-HMAC-SHA512, 128-bit random salt, iteration count stored in the hash).
/// </summary>
public sealed class PasswordHashing(IOptions<PasswordOptions> options)
{
    private readonly PasswordHasher<object> _hasher = new(Options.Create(new PasswordHasherOptions
    {
        CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3,
        IterationCount = options.Value.Iterations,
    }));

    private static readonly object Subject = new();

    /// <summary>Hashes a password.</summary>
    public string Hash(string password) => _hasher.HashPassword(Subject, password);

    /// <summary>Checks a password against a stored hash.</summary>
    public bool Verify(string hash, string password) =>
        _hasher.VerifyHashedPassword(Subject, hash, password) != PasswordVerificationResult.Failed;
}
