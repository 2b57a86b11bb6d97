using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace AuditService.Security;

/// <summary>
/// The <c>ApiKey</c> authentication scheme: the key comes as <c>Authorization: Bearer &lt;key&gt;</c>
/// or <c>X-Api-Key: &lt;key&gt;</c>. A missing and a wrong key get the same 401 ProblemDetails; a
/// right key of the wrong role (a read key on ingest, an ingest key on a query) gets 403.
/// </summary>
public static class ApiKeyAuthentication
{
    /// <summary>Name of the scheme.</summary>
    public const string Scheme = "ApiKey";

    /// <summary>Header that may carry the key instead of <c>Authorization</c>.</summary>
    public const string HeaderName = "X-Api-Key";

    /// <summary>
    /// The two ways the handler reads a key, as the OpenAPI document names them; each operation lists
    /// the role (<see cref="AuditRole"/>) its key must have.
    /// </summary>
    public static IReadOnlyDictionary<string, OpenApiSecurityScheme> OpenApiSchemes { get; } = new Dictionary<string, OpenApiSecurityScheme>
    {
        ["Bearer"] = new()
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A read key (queries, export, counts, stream, verify, checkpoints, conflicts) or an ingest key (POST /v1/cloudevents), "
                + "sent as 'Authorization: Bearer <key>'.",
        },
        [Scheme] = new()
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = HeaderName,
            Description = $"The same read or ingest key, sent as '{HeaderName}: <key>' instead.",
        },
    };

    /// <summary>
    /// Registers the scheme as the default one and a policy per role (<see cref="AuditPolicies"/>);
    /// the keys are validated at start, so AuditService does not run unprotected.
    /// </summary>
    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidation>();
        services.AddSingleton<ApiKeyVerifier>();
        services.AddSingleton<ReservedSources>();
        services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AuditPolicies.Read, Policy(AuditRole.Read))
            .AddPolicy(AuditPolicies.Ingest, Policy(AuditRole.Ingest));
        return services;
    }

    /// <summary>The credential that authenticated the request; null when none did.</summary>
    public static AuditCredential? Credential(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<AuditCredential>();
    }

    private static AuthorizationPolicy Policy(AuditRole role) =>
        new AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().RequireRole(role.ToString()).Build();

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

            if (verifier.Find(key) is not { } credential)
            {
                // The message is logged by the framework: it never carries the presented value.
                return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
            }

            Context.Features.Set(credential);
            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, credential.Name), new Claim(ClaimTypes.Role, credential.Role.ToString())], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }

        protected override Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            Response.Headers.WWWAuthenticate = "Bearer realm=\"audit-service\"";
            return WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized",
                $"Send the API key as 'Authorization: Bearer <key>' or '{HeaderName}: <key>'.");
        }

        protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
            WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", Context.Credential()?.Role switch
            {
                AuditRole.Read => "This key may read audit events but not send them: HTTP senders have ingest keys of their own.",
                AuditRole.Ingest => "This key may send events but not read them: readers have read keys of their own.",
                _ => "This key may not do this.",
            });

        private async Task WriteProblemAsync(int status, string title, string detail)
        {
            Response.StatusCode = status;
            await problemDetails.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = Context,
                ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
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
