using System.Net;
using System.Net.Sockets;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>Ports on 127.0.0.1 for the benchmarks' processes and the tests that must name one themselves.</summary>
public static class LoopbackPort
{
    /// <summary>A port nothing listens on at the time of asking (the operating system's pick).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
