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
    private readonly HashSet<Pipe> _pipes = [];

    /// <summary>Connections served at once; more are closed as they arrive.</summary>
    public const int MaxConnections = 256;

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

            Open(client);
        }
    }

    private void Open(Socket client)
    {
        var pipe = new Pipe(client, new Socket(_target.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        lock (_pipes)
        {
            if (_stopping.IsCancellationRequested)
            {
                pipe.Close();
                return;
            }

            if (_pipes.Count >= MaxConnections)
            {
                // Two threads per connection: a client that opens connections without end must not
                // exhaust the process. Kafka clients keep a handful each.
                pipe.Close();
                LogTooManyConnections(_logger, MaxConnections);
                return;
            }

            _pipes.Add(pipe);
        }

        pipe.Start(_target, () =>
        {
            lock (_pipes)
            {
                _pipes.Remove(pipe);
            }
        });
    }

    /// <summary>
    /// One client connection and its connection to the mock broker, copied in each direction by a
    /// thread of its own that blocks in the socket calls. Every Kafka request and response crosses
    /// here, and a blocked thread is woken by the kernel directly. Asynchronous copies went through
    /// the sockets' event thread and a thread-pool worker, which then spun before sleeping: with the
    /// consumers' short fetches that spinning was most of an idle application's broker CPU. Neither
    /// socket sees an asynchronous call, since one would leave it non-blocking for good and its
    /// synchronous calls served through the event thread again.
    /// </summary>
    private sealed class Pipe(Socket client, Socket upstream)
    {
        private const int BufferBytes = 64 * 1024;

        // The copy loops need little stack; the default reserves megabytes of address space per thread.
        private const int StackBytes = 256 * 1024;

        private int _closed;

        /// <summary>Connects to <paramref name="target"/> and copies both ways until both sides have closed; then calls <paramref name="ended"/>.</summary>
        public void Start(IPEndPoint target, Action ended) => RunThread("kafka-fwd-in", () =>
        {
            try
            {
                client.NoDelay = true;
                upstream.NoDelay = true;
                upstream.Connect(target);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // The broker is down (fault injection) or stopping: the client sees a closed
                // connection, exactly as with a real broker that went away.
                Close();
                ended();
                return;
            }

            var toClient = RunThread("kafka-fwd-out", () => Copy(upstream, client));
            Copy(client, upstream);
            toClient.Join();
            Close();
            ended();
        });

        /// <summary>Closes both sockets, which ends both copies.</summary>
        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                client.Dispose();
                upstream.Dispose();
            }
        }

        private static Thread RunThread(string name, Action body)
        {
            var thread = new Thread(() => body(), StackBytes) { IsBackground = true, Name = name };
            thread.Start();
            return thread;
        }

        // Copies until the sender closes its side, then closes the same side toward the receiver (the
        // other direction goes on until its sender closes too). A reset, or the forwarder stopping,
        // closes both sockets, which ends the other copy as well.
        private void Copy(Socket from, Socket to)
        {
            var buffer = new byte[BufferBytes];
            try
            {
                int read;
                while ((read = from.Receive(buffer)) > 0)
                {
                    to.Send(buffer.AsSpan(0, read));
                }

                to.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                Close();
            }
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
        Pipe[] open;
        lock (_pipes)
        {
            open = [.. _pipes];
        }

        foreach (var pipe in open)
        {
            pipe.Close();
        }

        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "IPv6 loopback unavailable ({Error}); serving 127.0.0.1 only")]
    private static partial void LogIpv6Unavailable(ILogger logger, SocketError error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a Kafka connection: {MaxConnections} are open already")]
    private static partial void LogTooManyConnections(ILogger logger, int maxConnections);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Accepting a Kafka connection failed: {Error}")]
    private static partial void LogAcceptFailed(ILogger logger, SocketError error);
}
