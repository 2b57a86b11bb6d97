using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace WolverinePeer.Users;

/// <summary>
/// UserService's password hashing: ASP.NET Core Identity's hasher, format v3 (PBKDF2-HMAC-SHA512),
/// 210,000 iterations, so a create or a password change costs the same on both sides.
/// </summary>
public sealed class PasswordHashing
{
    private static readonly object Subject = new();

    private readonly PasswordHasher<object> _hasher = new(Options.Create(new PasswordHasherOptions
    {
        CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3,
        IterationCount = 210_000,
    }));

    /// <summary>Hashes a password.</summary>
    public string Hash(string password) => _hasher.HashPassword(Subject, password);
}
