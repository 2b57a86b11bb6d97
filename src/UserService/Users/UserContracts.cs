using System.Text.Json;
using System.Text.Json.Serialization;

namespace UserService.Users;

/// <summary>A stored user. The password exists only as a salted, slow hash.</summary>
public sealed record User(string Id, string Name, string PasswordHash, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>The strong ETag of this version.</summary>
    public string ETag => $"\"{Version}\"";
}

/// <summary>Body of <c>POST /v1/users</c>.</summary>
public sealed record CreateUserRequest(string? Name, string? Password);

/// <summary>Body of <c>PUT</c> and <c>PATCH /v1/users/{id}</c>: each field present is changed.</summary>
public sealed record UpdateUserRequest(string? Name, string? Password);

/// <summary>What the API says about a user: never the password or its hash.</summary>
public sealed record UserResponse(string Id, string Name, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>Projects a stored user.</summary>
    public static UserResponse From(User user) => new(user.Id, user.Name, user.Version, user.CreatedAt, user.UpdatedAt);
}

/// <summary>A page of users and the cursor of the next page, if any.</summary>
public sealed record UserPage(IReadOnlyList<UserResponse> Items, string? NextCursor);

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

        if (password.Length is < PasswordMin or > PasswordMax)
        {
            errors["password"] = [$"password must be {PasswordMin} to {PasswordMax} characters."];
            return null;
        }

        return password;
    }
}

/// <summary>Source-generated JSON for the API's own types.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CreateUserRequest))]
[JsonSerializable(typeof(UpdateUserRequest))]
[JsonSerializable(typeof(UserResponse))]
[JsonSerializable(typeof(UserPage))]
internal sealed partial class UserJsonContext : JsonSerializerContext;
