using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AuditService.Api;

/// <summary>
/// The <c>cursor</c> and <c>limit</c> of a paged read, parsed alike by every list endpoint: a cursor
/// is a whole number from 1 (the <c>nextCursor</c> of the previous page), a limit a whole number
/// from 1 to the endpoint's largest page.
/// </summary>
/// <param name="Cursor">The cursor, when given.</param>
/// <param name="Limit">The page size.</param>
internal sealed record PageRequest(long? Cursor, int Limit)
{
    /// <summary>What the <c>cursor</c> parameter of every paged endpoint is, as the OpenAPI document says it.</summary>
    public const string CursorDescription = "The nextCursor of the previous page.";

    /// <summary>The page asked for, or the 400 naming the bad parameter.</summary>
    public static ProblemHttpResult? TryParse(string? cursor, string? limit, int defaultLimit, int maxLimit, out PageRequest page)
    {
        page = new PageRequest(null, defaultLimit);
        if (TryParseLimit(limit, defaultLimit, maxLimit, out var size) is { } badLimit)
        {
            return badLimit;
        }

        long? after = null;
        if (cursor is not null)
        {
            if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                return ParameterProblem.For("cursor", "cursor must be the nextCursor of a previous page.");
            }

            after = value;
        }

        page = new PageRequest(after, size);
        return null;
    }

    /// <summary>A <c>limit</c> parameter (a whole number from 1 to <paramref name="maxLimit"/>, <paramref name="defaultLimit"/> when absent), or the 400 naming it.</summary>
    public static ProblemHttpResult? TryParseLimit(string? limit, int defaultLimit, int maxLimit, out int size)
    {
        size = defaultLimit;
        return limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1 || size > maxLimit)
            ? ParameterProblem.For("limit", $"limit must be a whole number from 1 to {maxLimit}.")
            : null;
    }
}
