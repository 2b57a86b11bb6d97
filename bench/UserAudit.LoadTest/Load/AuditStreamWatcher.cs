using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace UserAudit.LoadTest.Load;

/// <summary>
/// Follows AuditService's live stream (<c>GET /v1/audit-events/stream</c>) and notes when each event
/// arrived. It first reads the store's newest position and always asks the stream to resume after
/// the last position it has (<c>Last-Event-ID</c>), so the first connection and every reconnection
/// (AuditService restarted, a connection dropped) miss nothing stored after the run began.
/// </summary>
public sealed class AuditStreamWatcher(HttpClient audit, string source, DateTimeOffset from) : AuditWatcher
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long? _position;

    /// <inheritdoc />
    public override string Method => "pushed on the audit stream";

    /// <inheritdoc />
    public override Task ReadyAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    /// <inheritdoc />
    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                try
                {
                    _position ??= await NewestPositionAsync(cancellationToken);
                    _ready.TrySetResult();
                    await FollowAsync(_position.Value, cancellationToken);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsTransient(ex))
                {
                    // AuditService may be down in a fault scenario: reconnect where the stream broke off.
                    Failed();
                }

                await Task.Delay(RetryDelay, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The position of the newest stored event of any source; 0 for an empty store.</summary>
    private async Task<long> NewestPositionAsync(CancellationToken cancellationToken)
    {
        using var response = await audit.GetAsync("/v1/audit-events?limit=1", cancellationToken);
        response.EnsureSuccessStatusCode();
        using var page = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        var items = page.RootElement.GetProperty("items");
        return items.GetArrayLength() == 0 ? 0 : items[0].GetProperty("position").GetInt64();
    }

    /// <summary>Reads the stream from after <paramref name="after"/> until AuditService ends it or the connection breaks.</summary>
    private async Task FollowAsync(long after, CancellationToken cancellationToken)
    {
        var url = string.Create(CultureInfo.InvariantCulture,
            $"/v1/audit-events/stream?source={Uri.EscapeDataString(source)}&from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("Last-Event-ID", after.ToString(CultureInfo.InvariantCulture));
        using var response = await audit.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var parser = SseParser.Create(body, static (_, data) => ToChange(data));
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
        {
            if (item.Data is { } change)
            {
                Saw([change], Stopwatch.GetTimestamp());
            }

            _position = long.Parse(item.EventId ?? throw new FormatException("A stream event came without an id."), NumberStyles.None, CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The change an event's <c>data</c> names, or null for an event that names no user version.</summary>
    private static ChangeId? ToChange(ReadOnlySpan<byte> data)
    {
        using var item = JsonDocument.Parse(data.ToArray());
        return AuditApiItems.ToStoredChange(item.RootElement)?.Change;
    }
}
