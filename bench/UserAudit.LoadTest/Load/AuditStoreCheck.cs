using System.Globalization;
using System.Text.Json;

namespace UserAudit.LoadTest.Load;

/// <summary>
/// The end-of-run check: exports every event of the run from the audit API (NDJSON, streamed) and
/// counts them per user and type. Independent of the watcher, so a watcher bug cannot hide a loss.
/// </summary>
public static class AuditStoreCheck
{
    /// <summary>Stored events per user and type whose time is at or after <paramref name="from"/>.</summary>
    public static async Task<Dictionary<ChangeKey, int>> CountAsync(
        HttpClient audit, string source, DateTimeOffset from, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var url = string.Create(CultureInfo.InvariantCulture,
            $"/v1/audit-events/export?format=ndjson&source={Uri.EscapeDataString(source)}&from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}");
        using var response = await audit.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        var stored = new Dictionary<ChangeKey, int>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var key = new ChangeKey(root.TryGetProperty("subject", out var s) ? s.GetString() ?? "" : "", root.GetProperty("type").GetString()!);
            stored[key] = stored.GetValueOrDefault(key) + 1;
        }

        return stored;
    }
}
