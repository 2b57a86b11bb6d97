using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AuditService.Api;
using AuditService.Store;
using Microsoft.Extensions.Options;

namespace AuditService.Streaming;

/// <summary>
/// The events of a live stream: first every stored event after the client's position that matches
/// its filters, then each new one as the writer stores it. The store is the only source, read a page
/// at a time after the last position sent, so a resumed stream misses nothing and sends nothing twice,
/// and a slow client holds at most one page in memory (writing to it waits on the connection).
/// </summary>
public sealed class AuditEventFeed(AuditEventStore store, AuditEventSignal signal, IOptions<StreamOptions> options, IOptions<ReadOptions> readOptions)
{
    /// <summary>
    /// The stream's events, each with its store position as the SSE <c>id</c> and the event as the
    /// query API shows it as <c>data</c>; it ends when <paramref name="cancellationToken"/> does.
    /// </summary>
    /// <param name="query">The filters (its limit and cursor are ignored).</param>
    /// <param name="after">The last position the client has (its <c>Last-Event-ID</c>); null: only events stored from now on.</param>
    /// <param name="opened">
    /// Called once the stream listens and knows its position, before any event: sending the response
    /// headers then tells the client that every event stored from now on will reach it.
    /// </param>
    /// <param name="cancellationToken">The client's connection.</param>
    public async IAsyncEnumerable<SseItem<string>> ReadAsync(
        AuditQuery query, long? after, Func<CancellationToken, Task> opened, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(opened);
        var settings = options.Value;
        // Listen before reading the head: whatever is committed after it wakes this stream.
        using var subscription = signal.Subscribe();
        var position = after ?? await store.LatestSequenceAsync(cancellationToken);
        await opened(cancellationToken);
        var page = query with { Before = null, Limit = settings.PageSize, MaxBytes = readOptions.Value.MaxPageBytes };
        while (true)
        {
            // Rows up to the head are all committed (positions follow commit order): reading up to it,
            // then moving to it, keeps a narrow filter from rescanning the same unmatched rows each time.
            var head = await store.LatestSequenceAsync(cancellationToken);
            var events = head > position ? await store.ReadAfterAsync(page, position, head, cancellationToken) : null;
            foreach (var stored in events?.Items ?? [])
            {
                position = stored.Sequence;
                var data = JsonSerializer.Serialize(AuditEventResponse.From(stored), AuditJsonContext.Default.AuditEventResponse);
                yield return new SseItem<string>(data) { EventId = stored.Sequence.ToString(CultureInfo.InvariantCulture) };
            }

            // A page that ended at its row limit or its byte budget: the rest up to the head is read
            // before the position may move to the head.
            if (events?.More == true)
            {
                continue;
            }

            position = Math.Max(position, head);
            if (!await subscription.WaitAsync(settings.RecheckInterval, cancellationToken))
            {
                yield break;
            }
        }
    }
}
