using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using UserService.Users;

namespace UserService.Sessions;

/// <summary>
/// Bearer-token authentication for the users API: access tokens validated with a pinned issuer,
/// audience, key and algorithm, then against the user's current token version and role (a
/// password change or a deletion ends a token at once on this replica, within
/// <see cref="AuthOptions.UserCacheTtl"/> elsewhere); 401 and 403 as ProblemDetails; rate limits
/// for sign-in and open registration per client address.
/// </summary>
public static class UserAuthentication
{
    /// <summary>Rate-limit policy of <c>POST /v1/sessions</c>: attempts per client address.</summary>
    public const string SignInPolicy = "sign-in";

    /// <summary>Rate-limit policy of <c>POST /v1/users</c>: anonymous registrations per client address; administrators are not limited.</summary>
    public const string RegistrationPolicy = "registration";

    /// <summary>Registers authentication, authorization, rate limiting and sign-in.</summary>
    public static IHostApplicationBuilder AddUserAuthentication(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateWith(new AuthOptionsValidator()).ValidateOnStart();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<UserAccessCache>();
        services.AddSingleton<SignInStore>();
        services.AddSingleton<SignInService>();
        services.AddExceptionHandler<HashingBusyExceptionHandler>();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<AccessTokens>((jwt, tokens) =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = tokens.ValidationParameters();
                jwt.Events = new JwtBearerEvents
                {
                    OnTokenValidated = CheckStillValidAsync,
                    OnChallenge = ChallengeAsync,
                    OnForbidden = context => WriteProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden", "This token may not do that."),
                };
            });
        services.AddAuthorization();

        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
                JsonBody.SetRetryAfter(context.HttpContext.Response, wait);
                await WriteProblemAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    "This client sent too many requests of this kind; retry after the time in Retry-After.");
            };
            limiter.AddPolicy(SignInPolicy, context => PerAddress(context, o => o.SignInsPerAddressPerMinute));
            limiter.AddPolicy(RegistrationPolicy, context => Caller.From(context.User).IsAdmin
                ? RateLimitPartition.GetNoLimiter("admin")
                : PerAddress(context, o => o.RegistrationsPerAddressPerMinute));
        });
        return builder;
    }

    private static RateLimitPartition<string> PerAddress(HttpContext context, Func<AuthOptions, int> perMinute)
    {
        var limit = perMinute(context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value);
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
    }

    /// <summary>A signature-valid token still has to belong to an existing user at its current token version.</summary>
    private static async Task CheckStillValidAsync(TokenValidatedContext context)
    {
        var principal = context.Principal!;
        var userId = principal.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
        var version = principal.FindFirst(AccessTokens.TokenVersionClaim)?.Value;
        if (userId is null || !long.TryParse(version, NumberStyles.Integer, CultureInfo.InvariantCulture, out var tokenVersion))
        {
            context.Fail("The token lacks its subject or token version.");
            return;
        }

        var access = await context.HttpContext.RequestServices.GetRequiredService<UserAccessCache>().GetAsync(userId, context.HttpContext.RequestAborted);
        if (access is null || access.TokenVersion != tokenVersion)
        {
            context.Fail("The token was revoked.");
            return;
        }

        // The role comes from the store, not only from the token.
        if ((access.IsAdmin) != principal.HasClaim(AccessTokens.RoleClaim, UserRoles.Admin))
        {
            context.Fail("The token's role is out of date.");
        }
    }

    private static Task ChallengeAsync(JwtBearerChallengeContext context)
    {
        // One answer for a missing, malformed, expired, revoked or forged token.
        context.HandleResponse();
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Unauthorized",
            "A valid access token is required: sign in with POST /v1/sessions and send it as 'Authorization: Bearer <token>'.");
    }

    private static async Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
