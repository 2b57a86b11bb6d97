using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace UserAudit.ServiceDefaults.OpenApi;

/// <summary>
/// What every service's OpenAPI document (served at <see cref="DocumentPath"/>) says the same way.
/// Each service calls <c>AddOpenApi</c> itself: the package's source generator fills in the XML
/// documentation only where that call is.
/// </summary>
public static class ServiceOpenApi
{
    /// <summary>Where <c>MapOpenApi()</c> serves the document.</summary>
    public const string DocumentPath = "/openapi/v1.json";

    /// <summary>
    /// Documents the service's security <paramref name="schemes"/> (name in the document's components,
    /// and the scheme): every operation that requires authorization names them as alternatives, with the
    /// roles its policy demands, and documents its 401 (and 403 when a role is demanded) as ProblemDetails.
    /// </summary>
    public static OpenApiOptions AddSecuritySchemes(this OpenApiOptions options, IReadOnlyDictionary<string, OpenApiSecurityScheme> schemes)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(schemes);
        var security = new OpenApiSecurityTransformer(schemes);
        options.AddDocumentTransformer(security);
        options.AddOperationTransformer(security);
        return options;
    }
}
