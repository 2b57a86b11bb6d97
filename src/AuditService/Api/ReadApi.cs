using AuditService.Security;

namespace AuditService.Api;

/// <summary>The route group every read endpoint hangs from: <c>/v1/audit-events</c>, read keys only.</summary>
internal static class ReadApi
{
    /// <summary>
    /// A group under <c>/v1/audit-events</c> requiring a read key; its 401 and 403 are documented from
    /// the policy (<c>AddSecuritySchemes</c>).
    /// </summary>
    public static RouteGroupBuilder MapReadGroup(this IEndpointRouteBuilder app, string tag) =>
        app.MapGroup("/v1/audit-events").WithTags(tag).RequireAuthorization(AuditPolicies.Read);
}
