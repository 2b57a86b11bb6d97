using System.ComponentModel.DataAnnotations;
using UserService.Users;

namespace UserService.Sessions;

/// <summary>
/// The first administrator (section <c>Auth:BootstrapAdmin</c>): created at start when no user has
/// this id. It comes from the deployment (the AppHost's <c>admin-id</c> and <c>admin-password</c>
/// parameters), never from a hard-coded account. Unset: no administrator is created.
/// </summary>
public sealed class BootstrapAdminOptions
{
    /// <summary>The administrator's user id (a UUID, used to sign in).</summary>
    public string? Id { get; set; }

    /// <summary>Its initial password. Never logged; changing it later is done through the API.</summary>
    public string? Password { get; set; }

    /// <summary>Its name.</summary>
    public string Name { get; set; } = "Administrator";

    /// <summary>Whether an administrator is configured.</summary>
    public bool IsConfigured => !string.IsNullOrEmpty(Id);

    internal IEnumerable<ValidationResult> Validate(string section)
    {
        if (!IsConfigured)
        {
            yield break;
        }

        if (!UserIds.IsValid(Id!))
        {
            yield return new ValidationResult($"{section}:Id must be a UUID such as 0190a5c4-2f1e-7c3a-9d2b-4e5f6a7b8c9d.", [nameof(Id)]);
        }

        if (Password is null || Password.Length < UserRules.PasswordMin || Password.Length > UserRules.PasswordMax)
        {
            yield return new ValidationResult(
                $"{section}:Password must be {UserRules.PasswordMin} to {UserRules.PasswordMax} characters.", [nameof(Password)]);
        }
    }
}
