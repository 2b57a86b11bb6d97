using System.Globalization;
using System.Net;
using Aspire.Hosting.ApplicationModel;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.Edge;

/// <summary>
/// Nothing the services run listens beyond this machine in development: every listening TCP socket
/// of their processes, read from <c>/proc/net/tcp</c> and <c>/proc/net/tcp6</c>, is bound to a
/// loopback address.
/// </summary>
public sealed class ListeningSocketTests(UserAuditApp app)
{
    private const string Listen = "0A";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("user-service")]
    [InlineData("audit-service")]
    public async Task Every_socket_a_service_listens_on_is_bound_to_loopback(string resource)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Reads /proc.");
        var running = await app.App.ResourceNotifications.WaitForResourceAsync(resource,
            e => e.Snapshot.State?.Text == KnownResourceStates.Running && Pid(e.Snapshot) is not null, Ct);
        var processes = WithDescendants(Pid(running.Snapshot)!.Value);
        var inodes = processes.SelectMany(SocketInodes).ToHashSet();

        var listening = ListeningSockets().Where(s => inodes.Contains(s.Inode)).ToList();

        Assert.NotEmpty(listening);
        Assert.All(listening, s => Assert.True(IPAddress.IsLoopback(s.Address), $"{resource} listens on {s.Address}:{s.Port}"));
    }

    private static int? Pid(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
            && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
            ? pid
            : null;

    // The pid DCP reports may be a launcher's: the service runs below it.
    private static List<int> WithDescendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ReadParent(directory) is { } parent)
            {
                parents[pid] = parent;
            }
        }

        var all = new List<int> { root };
        for (var i = 0; i < all.Count; i++)
        {
            all.AddRange(parents.Where(p => p.Value == all[i]).Select(p => p.Key));
        }

        return all;
    }

    private static int? ReadParent(string directory)
    {
        try
        {
            // "pid (name) state ppid ...": the name may hold spaces, so read after its closing parenthesis.
            var stat = File.ReadAllText(Path.Combine(directory, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null; // the process ended meanwhile
        }
    }

    private static IEnumerable<string> SocketInodes(int pid)
    {
        string[] descriptors;
        try
        {
            descriptors = Directory.GetFileSystemEntries($"/proc/{pid}/fd");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var descriptor in descriptors)
        {
            var target = new FileInfo(descriptor).LinkTarget;
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                yield return target["socket:[".Length..^1];
            }
        }
    }

    /// <summary>Listening sockets: "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode".</summary>
    private static IEnumerable<(IPAddress Address, int Port, string Inode)> ListeningSockets()
    {
        foreach (var table in (string[])["/proc/net/tcp", "/proc/net/tcp6"])
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields[3] == Listen)
                {
                    var (address, port) = (fields[1][..fields[1].IndexOf(':', StringComparison.Ordinal)], fields[1][(fields[1].IndexOf(':', StringComparison.Ordinal) + 1)..]);
                    yield return (Address(address), int.Parse(port, NumberStyles.HexNumber, CultureInfo.InvariantCulture), fields[9]);
                }
            }
        }
    }

    // /proc writes each 32-bit word of the address in host (little-endian) byte order.
    private static IPAddress Address(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        for (var word = 0; word < bytes.Length; word += 4)
        {
            Array.Reverse(bytes, word, 4);
        }

        var address = new IPAddress(bytes);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }
}
