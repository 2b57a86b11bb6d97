using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AuditService.Security;

/// <summary>
/// The <c>ApiKey</c> authentication scheme: the key comes as <c>Authorization: Bearer &lt;key&gt;</c>
/// or <c>X-Api-Key: &lt;key&gt;</c>. A missing and a wrong key get the same 401 ProblemDetails.
/// </summary>
public static class ApiKeyAuthentication
{
    /// <summary>Name of the scheme.</summary>
    public const string Scheme = "ApiKey";

    /// <summary>Header that may carry the key instead of <c>Authorization</c>.</summary>
    public const string HeaderName = "X-Api-Key";

    /// <summary>
    /// Registers the scheme as the default one and a default policy requiring it; the key is
    /// validated at start, so AuditService does not run unprotected.
    /// </summary>
    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ApiKeyVerifier>();
        services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(Scheme, null);
        services.AddAuthorizationBuilder().SetDefaultPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build());
        return services;
    }

    private sealed class ApiKeyAuthenticationHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
        ApiKeyVerifier verifier, IProblemDetailsService problemDetails)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        private const string BearerPrefix = "Bearer ";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var key = PresentedKey(Request);
            if (key is null)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            if (!verifier.Verify(key))
            {
                // The message is logged by the framework: it never carries the presented value.
                return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "api-key")], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }

        protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            Response.Headers.WWWAuthenticate = "Bearer realm=\"audit-service\"";
            await problemDetails.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = Context,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status401Unauthorized,
                    Title = "Unauthorized",
                    Detail = $"Send the API key as 'Authorization: Bearer <key>' or '{HeaderName}: <key>'.",
                },
            });
        }

        private static string? PresentedKey(HttpRequest request)
        {
            var authorization = request.Headers.Authorization.ToString();
            if (authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return authorization[BearerPrefix.Length..].Trim();
            }

            var header = request.Headers[HeaderName].ToString();
            return header.Length > 0 ? header : null;
        }
    }
}
