using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using UserService.Users;

namespace UserService.Sessions;

/// <summary>The signed-in caller of a request, as its validated access token says, or anonymous.</summary>
/// <param name="UserId">The caller's user id; null when anonymous.</param>
/// <param name="IsAdmin">Whether the caller is an administrator (checked against the store at validation).</param>
public sealed record Caller(string? UserId, bool IsAdmin)
{
    /// <summary>Whether a valid token came with the request.</summary>
    public bool IsSignedIn => UserId is not null;

    /// <summary>The actor of the changes this caller makes.</summary>
    public Actor Actor => UserId is null ? Actor.Unauthenticated : Actor.Of(UserId, IsAdmin);

    /// <summary>Whether the caller may read, change or delete <paramref name="userId"/>: itself, or anyone as an administrator.</summary>
    public bool MayAct(string userId) => IsAdmin || string.Equals(UserId, userId, StringComparison.Ordinal);

    /// <summary>The caller of a request.</summary>
    public static Caller From(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.Identity?.IsAuthenticated != true || principal.FindFirst(JwtRegisteredClaimNames.Sub)?.Value is not { } id)
        {
            return new Caller(null, false);
        }

        return new Caller(id, principal.HasClaim(AccessTokens.RoleClaim, UserRoles.Admin));
    }
}
