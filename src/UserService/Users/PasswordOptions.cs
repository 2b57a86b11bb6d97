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

    /// <summary>
    /// Most hashes running at once; 0 means half the cores (at least one), which leaves the other
    /// half to the cheap requests a flood of sign-ins and registrations would otherwise starve.
    /// </summary>
    [Range(0, 1024)]
    public int MaxConcurrentHashes { get; set; }

    /// <summary>Hashes that may wait for a slot; beyond them a request is refused with 503 and Retry-After.</summary>
    [Range(0, 100_000)]
    public int MaxQueuedHashes { get; set; } = 8;

    /// <summary><see cref="MaxConcurrentHashes"/>, with 0 resolved from the core count.</summary>
    public int EffectiveMaxConcurrentHashes => MaxConcurrentHashes > 0 ? MaxConcurrentHashes : Math.Max(1, Environment.ProcessorCount / 2);
}
