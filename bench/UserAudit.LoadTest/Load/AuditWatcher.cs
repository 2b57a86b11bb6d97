using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace UserAudit.LoadTest.Load;

/// <summary>
/// Follows the audit API while the load runs: asks for the newest events every poll interval and
/// notes when each one first became visible. The first page starts at the newest stored event and
/// the walk stops at the first event already seen, so a poll costs one small page in a steady run.
/// </summary>
public sealed class AuditWatcher(HttpClient audit, string source, DateTimeOffset from, TimeSpan interval)
{
    private const int PageSize = 200;
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<ChangeId, long> _seen = [];
    private readonly Lock _lock = new();
    private long _polls;
    private long _failedPolls;

    /// <summary>Polls so far.</summary>
    public long Polls => Interlocked.Read(ref _polls);

    /// <summary>Polls the audit API did not answer (counted, retried on the next tick).</summary>
    public long FailedPolls => Interlocked.Read(ref _failedPolls);

    /// <summary>Polls until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                try
                {
                    await PollAsync(cancellationToken);
                    Interlocked.Increment(ref _polls);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is HttpRequestException or JsonException or TaskCanceledException)
                {
                    // AuditService may be down in a fault scenario: keep watching.
                    Interlocked.Increment(ref _failedPolls);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>How many of the ledger's acknowledged changes have a visible event.</summary>
    public long CountAudited(Ledger ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        long audited = 0;
        lock (_lock)
        {
            foreach (var (change, record) in ledger.Changes)
            {
                if (record.Outcome == ChangeOutcome.Acknowledged && _seen.ContainsKey(change))
                {
                    audited++;
                }
            }
        }

        return audited;
    }

    /// <summary>Freshness of the measured changes in milliseconds: from the 2xx answer to the first poll that saw the change's event.</summary>
    public List<double> Freshness(Ledger ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        var samples = new List<double>();
        lock (_lock)
        {
            foreach (var (change, record) in ledger.Changes)
            {
                if (record.Measured && _seen.TryGetValue(change, out var seenAt))
                {
                    // Seen before the client read its answer: visible at once.
                    samples.Add(Math.Max(0, Stopwatch.GetElapsedTime(record.AcknowledgedAt, seenAt).TotalMilliseconds));
                }
            }
        }

        return samples;
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        string? cursor = null;
        var fresh = new List<(string Id, ChangeId? Change, long SeenAt)>();
        while (true)
        {
            var url = string.Create(CultureInfo.InvariantCulture,
                $"/v1/audit-events?source={Uri.EscapeDataString(source)}&from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}&limit={PageSize}")
                + (cursor is null ? "" : "&cursor=" + cursor);
            using var response = await audit.GetAsync(url, HttpCompletionOption.ResponseContentRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            var now = Stopwatch.GetTimestamp();
            using var page = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
            var reachedSeen = false;
            foreach (var item in page.RootElement.GetProperty("items").EnumerateArray())
            {
                var id = item.GetProperty("id").GetString()!;
                lock (_lock)
                {
                    if (_ids.Contains(id))
                    {
                        reachedSeen = true;
                        break;
                    }
                }

                fresh.Add((id, AuditApiItems.ToStoredChange(item)?.Change, now));
            }

            cursor = page.RootElement.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
            if (reachedSeen || cursor is null)
            {
                lock (_lock)
                {
                    foreach (var (id, change, seenAt) in fresh)
                    {
                        if (_ids.Add(id) && change is { } c)
                        {
                            _seen.TryAdd(c, seenAt);
                        }
                    }
                }

                return;
            }
        }
    }
}
