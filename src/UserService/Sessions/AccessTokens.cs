using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using UserService.Users;

namespace UserService.Sessions;

/// <summary>
/// Issues and describes the validation of UserService's access tokens: JWTs signed with
/// HMAC-SHA256, carrying <c>sub</c> (the user), a unique <c>jti</c>, <c>iat</c>, <c>exp</c>,
/// <c>iss</c>, <c>aud</c>, the role, and <c>tv</c>, the user's token version (a password change
/// raises it and so ends every token issued before).
/// </summary>
public sealed class AccessTokens(IOptions<AuthOptions> options, TimeProvider time)
{
    /// <summary>Claim holding the user's token version.</summary>
    public const string TokenVersionClaim = "tv";

    /// <summary>Claim holding the role (<see cref="UserRoles"/>).</summary>
    public const string RoleClaim = "role";

    /// <summary>The only signing algorithm issued or accepted: an <c>alg: none</c> or RSA-confusion token is refused.</summary>
    public const string Algorithm = SecurityAlgorithms.HmacSha256;

    private readonly AuthOptions _options = options.Value;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SymmetricSecurityKey _key = new(Encoding.UTF8.GetBytes(options.Value.SigningKey));

    /// <summary>A new token for <paramref name="user"/>, valid from now for the configured lifetime.</summary>
    public AccessToken Issue(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var now = time.GetUtcNow();
        var expires = now + _options.AccessTokenLifetime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(_key, Algorithm),
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, user.Id),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString()),
                new Claim(RoleClaim, user.Role),
                new Claim(TokenVersionClaim, user.TokenVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer64),
            ]),
        });
        return new AccessToken(token, expires);
    }

    /// <summary>What a token must be to be accepted: this issuer and audience, this key and algorithm, not expired.</summary>
    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = _options.Issuer,
        ValidAudience = _options.Audience,
        IssuerSigningKey = _key,
        ValidAlgorithms = [Algorithm],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateIssuerSigningKey = true,
        ValidateLifetime = true,
        ClockSkew = ClockSkew,
        NameClaimType = JwtRegisteredClaimNames.Sub,
        RoleClaimType = RoleClaim,
        // On the injected clock, so tests can move time past a token's expiry.
        LifetimeValidator = (notBefore, expires, _, _) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return expires is { } end && now <= end + ClockSkew && (notBefore is not { } start || now >= start - ClockSkew);
        },
    };

    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);
}
