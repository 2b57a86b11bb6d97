using System.ComponentModel.DataAnnotations;

namespace UserService.Users;

/// <summary>Password hashing parameters; section <c>Passwords</c>.</summary>
public sealed class PasswordOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Passwords";

    /// <summary>PBKDF2-HMAC-SHA512 iterations; OWASP's 2023 recommendation is 210,000.</summary>
    [Range(210_000, 10_000_000)]
    public int Iterations { get; set; } = 210_000;
}
