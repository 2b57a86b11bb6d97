namespace UserService.Users;

/// <summary>The field rules of the user API.</summary>
public static class UserRules
{
    /// <summary>Name length after trimming.</summary>
    public const int NameMin = 1, NameMax = 100;

    /// <summary>Password length.</summary>
    public const int PasswordMin = 8, PasswordMax = 128;

    /// <summary>Checks a name; returns the trimmed name or adds an error.</summary>
    public static string? Name(string? name, Dictionary<string, string[]> errors, bool required)
    {
        if (name is null)
        {
            if (required)
            {
                errors["name"] = ["name is required."];
            }

            return null;
        }

        var trimmed = name.Trim();
        if (trimmed.Length is < NameMin or > NameMax)
        {
            errors["name"] = [$"name must be {NameMin} to {NameMax} characters after trimming."];
            return null;
        }

        if (trimmed.Any(char.IsControl))
        {
            errors["name"] = ["name must not contain control characters."];
            return null;
        }

        return trimmed;
    }

    /// <summary>Checks a password; adds an error naming the rule, never echoing the value.</summary>
    public static string? Password(string? password, Dictionary<string, string[]> errors, bool required)
    {
        if (password is null)
        {
            if (required)
            {
                errors["password"] = ["password is required."];
            }

            return null;
        }

        if (password.Length < PasswordMin)
        {
            // Length is what makes a password hard to guess; NIST SP 800-63B sets 8 as the least a verifier may accept.
            errors["password"] = [$"password must be at least {PasswordMin} characters: shorter passwords are guessed too easily (NIST SP 800-63B's minimum)."];
            return null;
        }

        if (password.Length > PasswordMax)
        {
            errors["password"] = [$"password must be at most {PasswordMax} characters: every password is hashed, and longer ones only cost hashing time."];
            return null;
        }

        return password;
    }
}
