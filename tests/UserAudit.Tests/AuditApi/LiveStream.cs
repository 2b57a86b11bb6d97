using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using Xunit;

namespace UserAudit.Tests.AuditApi;

/// <summary>
/// An open live stream (<c>GET /v1/audit-events/stream</c>), read one event at a time with a
/// deadline, so a missing event fails the test instead of hanging it; disposing it disconnects.
/// </summary>
internal sealed class LiveStream(HttpResponseMessage response, IAsyncEnumerator<SseItem<string>> items, CancellationToken cancellationToken) : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Opens <paramref name="path"/> on <paramref name="audit"/>, resuming after <paramref name="after"/> (null: live events only), and checks it is a stream.</summary>
    public static async Task<LiveStream> OpenAsync(HttpClient audit, string path, long? after, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (after is { } position)
        {
            request.Headers.Add("Last-Event-ID", position.ToString(CultureInfo.InvariantCulture));
        }

        var response = await audit.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return new LiveStream(response, SseParser.Create(body).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken), cancellationToken);
    }

    /// <summary>The next event; fails when none arrives within 30 s or the stream ends.</summary>
    public async Task<SseItem<string>> NextAsync()
    {
        var next = items.MoveNextAsync().AsTask();
        if (await Task.WhenAny(next, Task.Delay(Patience, cancellationToken)) != next)
        {
            throw new TimeoutException($"No event arrived on the stream within {Patience.TotalSeconds:0} s.");
        }

        Assert.True(await next, "The stream ended.");
        return items.Current;
    }

    public async ValueTask DisposeAsync()
    {
        response.Dispose();
        try
        {
            await items.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or HttpRequestException)
        {
            // The connection is gone: that is what disposing is for.
        }
    }
}
