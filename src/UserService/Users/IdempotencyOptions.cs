using System.ComponentModel.DataAnnotations;

namespace UserService.Users;

/// <summary>How <c>Idempotency-Key</c> replays are recognized; section <c>Idempotency</c>.</summary>
public sealed class IdempotencyOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Idempotency";

    /// <summary>
    /// The secret of the keyed hash (HMAC-SHA256) kept of each keyed request, to tell a replay from
    /// another request under the same key (environment variable <c>Idempotency__RequestHashKey</c>;
    /// the AppHost passes its <c>user-service-idempotency-key</c> parameter). Kept out of the database,
    /// so the stored hashes do not let anyone who copies the file test guesses of the password.
    /// </summary>
    [Required(ErrorMessage = "Idempotency:RequestHashKey is required. Set it, e.g. through the environment variable Idempotency__RequestHashKey.")]
    [StringLength(int.MaxValue, MinimumLength = 32, ErrorMessage = "Idempotency:RequestHashKey must be at least 32 characters long.")]
    public string RequestHashKey { get; set; } = "";

    /// <summary>How long a key is remembered; a retry after that creates a new user.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(24);
}
