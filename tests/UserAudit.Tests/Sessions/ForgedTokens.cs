using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace UserAudit.Tests.Sessions;

/// <summary>Tokens an attacker (or a clock) would present: expired, tampered, unsigned, signed with another key.</summary>
internal static class ForgedTokens
{
    private const string Issuer = "urn:useraudit:user-service";
    private const string Audience = "urn:useraudit:users-api";

    /// <summary>A token as UserService would issue it, with the given key and times.</summary>
    public static string Signed(string key, string userId, DateTimeOffset issuedAt, DateTimeOffset expires, string role = "user", long tokenVersion = 0) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity(
            [
                new Claim("sub", userId), new Claim("jti", Guid.NewGuid().ToString()), new Claim("role", role),
                new Claim("tv", tokenVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer64),
            ]),
        });

    /// <summary>A valid token whose payload now names another user (and role), its signature left as it was.</summary>
    public static string Tampered(string token, string otherUserId)
    {
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1]));
        var sub = System.Text.Json.JsonDocument.Parse(payload).RootElement.GetProperty("sub").GetString()!;
        var forged = payload.Replace(sub, otherUserId, StringComparison.Ordinal).Replace("\"role\":\"user\"", "\"role\":\"admin\"", StringComparison.Ordinal);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(forged)}.{parts[2]}";
    }

    /// <summary>The same claims with <c>alg: none</c> and no signature.</summary>
    public static string Unsigned(string token)
    {
        var parts = token.Split('.');
        return $"{Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{parts[1]}.";
    }
}
