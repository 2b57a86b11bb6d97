using System.ComponentModel.DataAnnotations;

namespace AuditService.Security;

/// <summary>The API key callers must present; section <c>Auth</c>.</summary>
public sealed class AuthOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Auth";

    /// <summary>Shortest key accepted: anything shorter is guessable.</summary>
    public const int MinKeyLength = 16;

    /// <summary>The shared secret (environment variable <c>Auth__ApiKey</c>; the AppHost passes its <c>audit-api-key</c> parameter).</summary>
    [Required(ErrorMessage = "Auth:ApiKey is required: AuditService refuses to serve without an API key. Set it, e.g. through the environment variable Auth__ApiKey.")]
    [MinLength(MinKeyLength, ErrorMessage = "Auth:ApiKey must be at least 16 characters long.")]
    public string ApiKey { get; set; } = "";
}
