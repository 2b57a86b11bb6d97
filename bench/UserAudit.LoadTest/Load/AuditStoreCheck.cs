using System.Globalization;
using System.Text.Json;

namespace UserAudit.LoadTest.Load;

/// <summary>
/// The end-of-run check: reads every event of the run from the audit API, with its identity and
/// its Kafka coordinates, for <see cref="Ledger.Compare"/>. Independent of the watcher, so a
/// watcher bug cannot hide a loss.
/// </summary>
public static class AuditStoreCheck
{
    private const int PageSize = 500;

    /// <summary>Stored changes of <paramref name="source"/> whose time is at or after <paramref name="from"/>, one entry per stored copy.</summary>
    public static async Task<IReadOnlyList<StoredChange>> ReadAsync(
        HttpClient audit, string source, DateTimeOffset from, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var stored = new List<StoredChange>();
        string? cursor = null;
        do
        {
            var url = string.Create(CultureInfo.InvariantCulture,
                $"/v1/audit-events?source={Uri.EscapeDataString(source)}&from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}&limit={PageSize}")
                + (cursor is null ? "" : "&cursor=" + cursor);
            using var response = await audit.GetAsync(url, HttpCompletionOption.ResponseContentRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            using var page = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
            foreach (var item in page.RootElement.GetProperty("items").EnumerateArray())
            {
                if (AuditApiItems.ToStoredChange(item) is { } change)
                {
                    stored.Add(change);
                }
            }

            cursor = page.RootElement.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);

        return stored;
    }
}
