using System.Data.Common;
using UserAudit.ServiceDefaults.Storage;

namespace AuditService.Store;

/// <summary>
/// A page read from the store and whether more match after it: a page can end before its row limit
/// when what it holds fills its byte budget, so the number of items alone does not tell.
/// </summary>
/// <typeparam name="T">What the page holds.</typeparam>
/// <param name="Items">The items, in the query's order.</param>
/// <param name="More">Whether another matching item follows the last one here.</param>
public sealed record StorePage<T>(IReadOnlyList<T> Items, bool More)
{
    /// <summary>
    /// Reads a page of <paramref name="command"/>'s rows (its text limits them to <c>@limit</c>): up to
    /// <paramref name="limit"/> items and, past the first, only while their sizes add up to no more than
    /// <paramref name="maxBytes"/>. One row more than the page is read to tell whether more follow; no
    /// row beyond it.
    /// </summary>
    internal static async Task<StorePage<T>> ReadAsync(DbCommand command, int limit, long maxBytes, Func<DbDataReader, T> read, Func<T, long> size,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        command.AddParameter("@limit", limit + 1);
        var items = new List<T>(Math.Min(limit, 64));
        long bytes = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var item = read(reader);
            bytes += size(item);
            if (items.Count == limit || (items.Count > 0 && bytes > maxBytes))
            {
                return new StorePage<T>(items, More: true);
            }

            items.Add(item);
        }

        return new StorePage<T>(items, More: false);
    }
}
