namespace UserAudit.LoadTest.Benchmarks;

/// <summary>How the peers command runs.</summary>
/// <param name="RepositoryRoot">Where the services' builds are found (bin/&lt;Configuration&gt; of each project).</param>
/// <param name="Connections">Concurrent clients.</param>
/// <param name="WarmUp">Renames before each measured phase, not measured: JIT, pools, caches.</param>
/// <param name="Duration">Measured phase per system and round.</param>
/// <param name="Rounds">Times each system is measured; the summary takes the median.</param>
/// <param name="Partitions">Partitions of the audit topic.</param>
/// <param name="SettleTimeout">Longest wait, after the last request, for every acknowledged change to reach Kafka.</param>
/// <param name="UserServiceBefore">Another build of UserService (its UserService.dll), measured too when given: a change before and after, in one run.</param>
/// <param name="UserServiceNative">UserService's NativeAOT executable (<c>dotnet publish src/UserService -r linux-x64</c>), measured too when given.</param>
public sealed record PeerComparisonOptions(
    string RepositoryRoot, int Connections, TimeSpan WarmUp, TimeSpan Duration, int Rounds, int Partitions, TimeSpan SettleTimeout,
    string? UserServiceBefore = null, string? UserServiceNative = null);
