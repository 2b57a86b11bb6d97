using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace UserAudit.LoadTest.Load;

/// <summary>
/// Polls the audit API for the newest events every poll interval and notes when each one first
/// became visible. The first page starts at the newest stored event and the walk stops at the first
/// event already seen, so a poll costs one small page in a steady run.
/// A poll walks at most <see cref="PagesPerWalk"/> pages: what it saw counts at once, and where it
/// stopped short of the events seen before is a gap, walked on by later polls. Without the bound, a
/// watcher that fell far behind (a stall, a burst) walked ever longer and never caught up.
/// </summary>
public sealed class AuditPollWatcher(HttpClient audit, string source, DateTimeOffset from, TimeSpan interval) : AuditWatcher
{
    private const int PageSize = 200;
    private const int PagesPerWalk = 20;
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    // Cursors where a walk stopped before reaching the events seen before: unseen events lie beyond them.
    private readonly Queue<string> _gaps = new();

    /// <inheritdoc />
    public override string Method => string.Create(CultureInfo.InvariantCulture, $"polled every {interval.TotalMilliseconds:N0} ms");

    /// <inheritdoc />
    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                try
                {
                    await PollAsync(cancellationToken);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsTransient(ex))
                {
                    // AuditService may be down in a fault scenario: keep watching.
                    Failed();
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        // The newest events first, then one step into the oldest gap left by an earlier poll.
        await WalkAsync(new Walk(null), cancellationToken);
        if (_gaps.TryDequeue(out var gap))
        {
            await WalkAsync(new Walk(gap), cancellationToken);
        }
    }

    /// <summary>
    /// Walks newest-first from the walk's cursor (null: the newest event) until an event seen before
    /// or the end of the list. Stopped by the page budget or a failed request, it leaves the cursor
    /// it got to as a gap, so that nothing behind it goes unseen.
    /// </summary>
    private async Task WalkAsync(Walk walk, CancellationToken cancellationToken)
    {
        try
        {
            for (var pages = 0; pages < PagesPerWalk; pages++)
            {
                var url = string.Create(CultureInfo.InvariantCulture,
                    $"/v1/audit-events?source={Uri.EscapeDataString(source)}&from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}&limit={PageSize}")
                    + (walk.Cursor is null ? "" : "&cursor=" + walk.Cursor);
                using var response = await audit.GetAsync(url, HttpCompletionOption.ResponseContentRead, cancellationToken);
                response.EnsureSuccessStatusCode();
                var now = Stopwatch.GetTimestamp();
                using var page = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
                if (Record(page.RootElement.GetProperty("items"), now))
                {
                    return;
                }

                walk.Cursor = page.RootElement.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
                if (walk.Cursor is null)
                {
                    return;
                }
            }
        }
        catch when (walk.Cursor is not null)
        {
            _gaps.Enqueue(walk.Cursor);
            throw;
        }

        _gaps.Enqueue(walk.Cursor!);
    }

    /// <summary>Notes the page's events as seen at <paramref name="now"/>; true when it reached one seen before.</summary>
    private bool Record(JsonElement items, long now)
    {
        var changes = new List<ChangeId>(items.GetArrayLength());
        var reachedSeen = false;
        foreach (var item in items.EnumerateArray())
        {
            if (!_ids.Add(item.GetProperty("id").GetString()!))
            {
                reachedSeen = true;
                break;
            }

            if (AuditApiItems.ToStoredChange(item)?.Change is { } change)
            {
                changes.Add(change);
            }
        }

        Saw(changes, now);
        return reachedSeen;
    }

    /// <summary>Where a walk has got to: the cursor of its next page.</summary>
    private sealed class Walk(string? cursor)
    {
        public string? Cursor { get; set; } = cursor;
    }
}
