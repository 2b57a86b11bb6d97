using System.ComponentModel;
using System.Globalization;
using AuditService.Store;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AuditService.Api;

/// <summary>A page of recorded conflicts, newest first, and the cursor of the next page.</summary>
public sealed record AuditConflictPage(IReadOnlyList<AuditConflict> Items, string? NextCursor);

/// <summary>
/// <c>GET /v1/audit-events/conflicts</c>: copies of stored events that arrived with other content
/// (a forgery stored first hides nothing: its later real copy shows up here, and the other way
/// round). Read keys only.
/// </summary>
public static class ConflictsApi
{
    private const int MaxPageSize = 500;

    /// <summary>Maps the endpoint.</summary>
    public static RouteHandlerBuilder MapConflictsApi(this IEndpointRouteBuilder app) =>
        app.MapReadGroup("Audit events").MapGet("/conflicts", ListAsync).WithName("ListConflicts")
            .WithSummary("Copies of stored events that arrived with other content, newest first").ProducesProblem(StatusCodes.Status400BadRequest)
            .WithReadLimit();

    private static async Task<Results<Ok<AuditConflictPage>, ProblemHttpResult>> ListAsync(
        [Description("Only conflicts of events from this source.")] string? source, [Description(PageRequest.CursorDescription)] string? cursor,
        [Description("Page size, 1 to 500; 50 by default. A page of large copies holds fewer (Read:MaxPageBytes, at least one).")] string? limit,
        AuditEventStore store, IOptions<ReadOptions> options, CancellationToken cancellationToken)
    {
        if (PageRequest.TryParse(cursor, limit, 50, MaxPageSize, out var page) is { } badPage)
        {
            return badPage;
        }

        var conflicts = await store.ListConflictsAsync(string.IsNullOrEmpty(source) ? null : source, page.Cursor, page.Limit, options.Value.MaxPageBytes, cancellationToken);
        var items = conflicts.Items;
        return TypedResults.Ok(new AuditConflictPage(items, conflicts.More ? items[^1].Number.ToString(CultureInfo.InvariantCulture) : null));
    }
}
