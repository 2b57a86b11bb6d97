using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using UserAudit.KafkaBroker.Hosting;
using Xunit;

namespace UserAudit.Tests.Hosting;

/// <summary>
/// The embedded broker's port forwarder, in front of an echo server standing in for the mock
/// broker: what a client sees when the broker answers, goes away, is not there, and when the
/// forwarder stops or has too many connections open.
/// </summary>
public sealed class TcpForwarderTests : IAsyncDisposable
{
    private readonly TcpListener _echo = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _accepted = [];
    private readonly List<Socket> _clients = [];
    private TcpForwarder? _forwarder;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bytes_cross_both_ways_and_the_brokers_close_reaches_the_client()
    {
        var forwarder = Start();
        var client = await ConnectAsync(forwarder);

        Assert.Equal("ping", await EchoAsync(client, "ping"));
        Assert.Equal(new string('x', 200_000), await EchoAsync(client, new string('x', 200_000)));

        // The broker side closes: the client's read ends.
        var upstream = await AcceptedAsync(1);
        upstream.Shutdown(SocketShutdown.Both);
        upstream.Close();
        Assert.Equal(0, await client.ReceiveAsync(new byte[16], Ct));
    }

    [Fact]
    public async Task A_client_whose_broker_is_not_listening_is_closed_at_once()
    {
        // A port nothing listens on, as when fault injection took the mock broker down.
        var target = new IPEndPoint(IPAddress.Loopback, UserAudit.LoadTest.Benchmarks.LoopbackPort.Free());
        _forwarder = TcpForwarder.Start(0, target, NullLogger.Instance);

        var client = await ConnectAsync(_forwarder);

        Assert.Equal(0, await ReceiveOrResetAsync(client));
    }

    [Fact]
    public async Task Stopping_closes_the_open_connections()
    {
        var forwarder = Start();
        var client = await ConnectAsync(forwarder);
        Assert.Equal("ping", await EchoAsync(client, "ping"));

        await forwarder.DisposeAsync();
        _forwarder = null;

        Assert.Equal(0, await ReceiveOrResetAsync(client));
    }

    [Fact]
    public async Task Connections_beyond_the_cap_are_closed_and_those_within_it_keep_working()
    {
        var forwarder = Start();
        var within = new List<Socket>();
        for (var i = 0; i < TcpForwarder.MaxConnections; i++)
        {
            within.Add(await ConnectAsync(forwarder));
        }

        // Each connection is open once the broker side has accepted it.
        await AcceptedAsync(TcpForwarder.MaxConnections);
        var beyond = await ConnectAsync(forwarder);

        Assert.Equal(0, await ReceiveOrResetAsync(beyond));
        Assert.Equal("first", await EchoAsync(within[0], "first"));
        Assert.Equal("last", await EchoAsync(within[^1], "last"));
    }

    private TcpForwarder Start()
    {
        _echo.Start();
        _ = EchoLoopAsync();
        return _forwarder = TcpForwarder.Start(0, (IPEndPoint)_echo.LocalEndpoint, NullLogger.Instance);
    }

    private async Task EchoLoopAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _echo.AcceptSocketAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_accepted)
            {
                _accepted.Add(socket);
            }

            _ = EchoAsync(socket);
        }
    }

    private static async Task EchoAsync(Socket socket)
    {
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer)) > 0)
            {
                await socket.SendAsync(buffer.AsMemory(0, read));
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task<Socket> AcceptedAsync(int count) =>
        await Infrastructure.Eventually.GetAsync(_ =>
        {
            lock (_accepted)
            {
                return Task.FromResult(_accepted.Count >= count ? _accepted[count - 1] : null);
            }
        }, $"{count} connection(s) reaching the broker side", cancellationToken: Ct);

    private async Task<Socket> ConnectAsync(TcpForwarder forwarder)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _clients.Add(client);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, forwarder.Port), Ct);
        return client;
    }

    private static async Task<string> EchoAsync(Socket client, string text)
    {
        var sent = System.Text.Encoding.ASCII.GetBytes(text);
        await client.SendAsync(sent, Ct);
        var received = new byte[sent.Length];
        var total = 0;
        while (total < received.Length)
        {
            var read = await client.ReceiveAsync(received.AsMemory(total), Ct);
            Assert.NotEqual(0, read);
            total += read;
        }

        return System.Text.Encoding.ASCII.GetString(received);
    }

    // A closed connection reads as end of stream, or as a reset when the close discarded data.
    private static async Task<int> ReceiveOrResetAsync(Socket client)
    {
        try
        {
            return await client.ReceiveAsync(new byte[16], Ct);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return 0;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_forwarder is not null)
        {
            await _forwarder.DisposeAsync();
        }

        _echo.Stop();
        lock (_accepted)
        {
            _clients.AddRange(_accepted);
        }

        foreach (var socket in _clients)
        {
            socket.Dispose();
        }
    }
}
