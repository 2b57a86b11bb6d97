using System.Net;
using System.Net.Sockets;

namespace UserAudit.KafkaBroker.Hosting;

/// <summary>
/// Listens on a chosen loopback port and pipes every connection to the mock broker's own
/// (random) port. The mock cluster cannot bind a port we choose, so this is how it is served on
/// the port the AppHost assigns.
/// </summary>
public sealed partial class TcpForwarder : IAsyncDisposable
{
    private readonly List<TcpListener> _listeners = [];
    private readonly IPEndPoint _target;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _acceptLoops = [];

    private TcpForwarder(IPEndPoint target, ILogger logger)
    {
        _target = target;
        _logger = logger;
    }

    /// <summary>The port actually listened on (useful when 0 was asked for).</summary>
    public int Port { get; private set; }

    /// <summary>Starts forwarding from <paramref name="port"/> on 127.0.0.1 (and ::1 when available) to <paramref name="target"/>.</summary>
    public static TcpForwarder Start(int port, IPEndPoint target, ILogger logger)
    {
        var forwarder = new TcpForwarder(target, logger);
        var ipv4 = new TcpListener(IPAddress.Loopback, port);
        ipv4.Start();
        forwarder._listeners.Add(ipv4);
        forwarder.Port = ((IPEndPoint)ipv4.LocalEndpoint).Port;

        // "localhost" may resolve to ::1 first; serve it too so clients do not stall on it.
        if (Socket.OSSupportsIPv6)
        {
            try
            {
                var ipv6 = new TcpListener(IPAddress.IPv6Loopback, forwarder.Port);
                ipv6.Start();
                forwarder._listeners.Add(ipv6);
            }
            catch (SocketException ex)
            {
                LogIpv6Unavailable(logger, ex.SocketErrorCode);
            }
        }

        foreach (var listener in forwarder._listeners)
        {
            forwarder._acceptLoops.Add(forwarder.AcceptLoopAsync(listener));
        }

        return forwarder;
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                LogAcceptFailed(_logger, ex.SocketErrorCode);
                continue;
            }

            _ = PipeAsync(client);
        }
    }

    private async Task PipeAsync(Socket client)
    {
        using var upstream = new Socket(_target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (client)
        {
            client.NoDelay = true;
            try
            {
                await upstream.ConnectAsync(_target, _stopping.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                // The broker is down (fault injection) or stopping: the client sees a closed
                // connection, exactly as with a real broker that went away.
                return;
            }

            using var clientStream = new NetworkStream(client, ownsSocket: false);
            using var upstreamStream = new NetworkStream(upstream, ownsSocket: false);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            var toBroker = CopyAsync(clientStream, upstreamStream, linked.Token);
            var toClient = CopyAsync(upstreamStream, clientStream, linked.Token);
            await Task.WhenAny(toBroker, toClient);
            await linked.CancelAsync();
            await Task.WhenAll(toBroker, toClient);
        }
    }

    private static async Task CopyAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        try
        {
            await from.CopyToAsync(to, 64 * 1024, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // One side closed or reset: the pipe ends, which closes the other side too.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var listener in _listeners)
        {
            listener.Stop();
        }

        await Task.WhenAll(_acceptLoops);
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "IPv6 loopback unavailable ({Error}); serving 127.0.0.1 only")]
    private static partial void LogIpv6Unavailable(ILogger logger, SocketError error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Accepting a Kafka connection failed: {Error}")]
    private static partial void LogAcceptFailed(ILogger logger, SocketError error);
}
