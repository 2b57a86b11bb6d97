using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace UserAudit.ServiceDefaults.OpenApi;

/// <summary>
/// Writes into a service's OpenAPI document how its callers authenticate, read from the same endpoint
/// metadata the authorization middleware enforces, so the document cannot say otherwise: the security
/// schemes, and on every operation that requires authorization (and allows no anonymous caller) a
/// requirement of those schemes naming the roles its policy demands, the 401 ProblemDetails of the
/// challenge and, when the policy demands a role, the 403 the middleware gives a caller without it.
/// </summary>
internal sealed class OpenApiSecurityTransformer(IReadOnlyDictionary<string, OpenApiSecurityScheme> schemes)
    : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    private const string ProblemSchemaId = "ProblemDetails";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        foreach (var (name, scheme) in schemes)
        {
            document.Components.SecuritySchemes[name] = scheme;
        }

        return Task.CompletedTask;
    }

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var authorizeData = metadata.OfType<IAuthorizeData>().ToList();
        var policies = metadata.OfType<AuthorizationPolicy>().ToList();
        // Any AllowAnonymous wins over every RequireAuthorization, as in the authorization middleware.
        if (metadata.OfType<IAllowAnonymous>().Any() || (authorizeData.Count == 0 && policies.Count == 0))
        {
            return;
        }

        var policy = await AuthorizationPolicy.CombineAsync(context.ApplicationServices.GetRequiredService<IAuthorizationPolicyProvider>(), authorizeData, policies);
        var roles = policy?.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).Distinct().ToList() ?? [];
        operation.Security ??= [];
        foreach (var name in schemes.Keys)
        {
            // Requirements in the list are alternatives: any one scheme is enough.
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(name, context.Document)] = [.. roles] });
        }

        await AddProblemAsync(operation, context, StatusCodes.Status401Unauthorized, cancellationToken);
        if (roles.Count > 0)
        {
            await AddProblemAsync(operation, context, StatusCodes.Status403Forbidden, cancellationToken);
        }
    }

    private static async Task AddProblemAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, int status, CancellationToken cancellationToken)
    {
        operation.Responses ??= [];
        var key = status.ToString(CultureInfo.InvariantCulture);
        if (operation.Responses.ContainsKey(key))
        {
            return;
        }

        var document = context.Document ?? throw new InvalidOperationException("The operation belongs to no document.");
        if (document.Components?.Schemas?.ContainsKey(ProblemSchemaId) != true)
        {
            document.AddComponent(ProblemSchemaId, await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken));
        }

        operation.Responses[key] = new OpenApiResponse
        {
            Description = ReasonPhrases.GetReasonPhrase(status),
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchemaId, document) },
            },
        };
    }
}
