using System.Globalization;
using Microsoft.Data.Sqlite;
using UserAudit.KafkaBroker.MockCluster;
using UserAudit.LoadTest.Load;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>
/// Renames through UserService, the Wolverine peer in both outbox modes and the row-only baseline,
/// interleaved over rounds, each standalone: its own process (the baseline excepted), a fresh
/// embedded broker and a fresh database, the same warm-up. The topic is followed during each run
/// and compared with what the clients were told (exactly once per acknowledged change).
/// </summary>
public sealed class PeerComparison(PeerComparisonOptions options, TextWriter log, IProgress<LoadProgress>? progress)
{
    private const string Topic = "audit";
    private static readonly PeerSystem[] Order = [PeerSystem.UserService, PeerSystem.WolverineEfCore, PeerSystem.WolverineAdoNet, PeerSystem.RowOnlyBaseline];

    // The peer and the baseline take no token; UserService's runs sign in as this administrator.
    private static readonly SignInCredentials Administrator =
        new(Guid.CreateVersion7().ToString(), Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));

    /// <summary>The name a system goes by in the output.</summary>
    public static string NameOf(PeerSystem system) => system switch
    {
        PeerSystem.UserService => "UserService",
        PeerSystem.WolverineEfCore => "Wolverine EF Core",
        PeerSystem.WolverineAdoNet => "Wolverine ADO.NET",
        PeerSystem.UserServiceBefore => "UserService (before)",
        PeerSystem.UserServiceNative => "UserService (NativeAOT)",
        _ => "row-only baseline",
    };

    /// <summary>Runs every round and summarizes.</summary>
    /// <exception cref="UsageException">A service is not built.</exception>
    public async Task<PeerComparisonResult> RunAsync(CancellationToken cancellationToken)
    {
        var userService = ServiceBuilds.Assembly(options.RepositoryRoot, Path.Combine("src", "UserService"), "UserService");
        var peer = ServiceBuilds.Assembly(options.RepositoryRoot, Path.Combine("bench", "peers", "WolverinePeer"), "WolverinePeer");
        var builds = new Dictionary<PeerSystem, string> { [PeerSystem.UserService] = userService };
        foreach (var (system, path, option) in (ReadOnlySpan<(PeerSystem, string?, string)>)[
            (PeerSystem.UserServiceBefore, options.UserServiceBefore, "--user-service-before"),
            (PeerSystem.UserServiceNative, options.UserServiceNative, "--user-service-native")])
        {
            if (path is not null)
            {
                builds[system] = ServiceBuilds.Existing(path, option);
            }
        }

        PeerSystem[] order = [.. builds.Keys.Where(s => s != PeerSystem.UserService), .. Order];
        var runs = new List<PeerRun>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            // Every other round backwards: no system always runs first, or always right after the same other.
            foreach (var system in round % 2 == 1 ? order : order.Reverse())
            {
                await log.WriteLineAsync($"== round {round} of {options.Rounds}: {NameOf(system)}");
                runs.Add(await RunOnceAsync(system, round, builds.GetValueOrDefault(system, userService), peer, cancellationToken));
            }
        }

        var systems = order.Select(s => Summarize(s, [.. runs.Where(r => r.System == s)])).ToList();
        return new PeerComparisonResult(options, runs, systems, Compare(systems), runs.All(r => r.Check?.Passed ?? true));
    }

    private async Task<PeerRun> RunOnceAsync(PeerSystem system, int round, string userService, string peer, CancellationToken cancellationToken)
    {
        using var cluster = MockKafkaCluster.Start();
        cluster.CreateTopic(Topic, options.Partitions);
        var directory = Directory.CreateTempSubdirectory("useraudit-peers-");
        try
        {
            // The runs sign in as the administrator UserService creates; the peer reads its own section.
            var environment = StandaloneSettings.UserService(cluster.Bootstraps, directory.FullName, Administrator.UserId, Administrator.Password).AsEnvironment();
            environment["Events__Topic"] = Topic;
            environment["Peer__DataDirectory"] = directory.FullName;
            environment["Peer__Topic"] = Topic;
            switch (system)
            {
                case PeerSystem.UserService or PeerSystem.UserServiceBefore or PeerSystem.UserServiceNative:
                    return await RunServiceAsync(system, round, userService, "UserService", environment, ChangeMessageDecoders.CloudEvent, cluster, cancellationToken);
                case PeerSystem.WolverineEfCore or PeerSystem.WolverineAdoNet:
                    environment["Peer__Mode"] = system is PeerSystem.WolverineEfCore ? "EfCore" : "AdoNet";
                    return await RunServiceAsync(system, round, peer, "WolverinePeer", environment, ChangeMessageDecoders.WolverinePeerJson, cluster, cancellationToken);
                default:
                    return await RunRowOnlyAsync(round, userService, environment, directory.FullName, cancellationToken);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private async Task<PeerRun> RunServiceAsync(PeerSystem system, int round, string assembly, string processName, Dictionary<string, string> environment,
        Func<Confluent.Kafka.Message<byte[]?, byte[]?>, ChangeId?> decode, MockKafkaCluster cluster, CancellationToken cancellationToken)
    {
        using var follower = new KafkaTopicFollower(cluster.Bootstraps, Topic, options.Partitions, decode);
        LoadResult measured;
        Ledger ledger;
        await using (var service = await ServiceProcess.StartAsync(NameOf(system), assembly, environment, cancellationToken))
        {
            var signIn = system is PeerSystem.UserService or PeerSystem.UserServiceBefore or PeerSystem.UserServiceNative ? Administrator : null;
            var (_, warmUp) = await RunLoadAsync(service.Address, signIn, null, options.WarmUp, [processName], report: false, cancellationToken);
            (measured, var runner) = await RunLoadAsync(service.Address, signIn, warmUp.Users, options.Duration, [processName], report: true, cancellationToken);
            ledger = Combine(warmUp.Ledger, runner.Ledger);
            if (!await follower.WaitForAsync(ledger.Acknowledged, options.SettleTimeout, cancellationToken))
            {
                await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"not every acknowledged change reached Kafka within {options.SettleTimeout.TotalSeconds:N0} s; checking what did"));
            }

            // Stopped (gracefully) before the check, so nothing can arrive after it.
        }

        var check = await follower.CheckAsync(ledger, TimeSpan.FromMinutes(1), cancellationToken);
        await log.WriteLineAsync("exactly-once check: " + check + (check.Passed ? "" : "  FAILED"));
        return new PeerRun(system, round, measured, check);
    }

    // The baseline has no create endpoint: UserService creates its users (and warms up on them) in
    // the same fresh database, then the baseline warms up and is measured on those users.
    private async Task<PeerRun> RunRowOnlyAsync(int round, string userService, Dictionary<string, string> environment, string directory, CancellationToken cancellationToken)
    {
        IReadOnlyList<KnownUser> users;
        await using (var service = await ServiceProcess.StartAsync("UserService (creating the baseline's users)", userService, environment, cancellationToken))
        {
            users = (await RunLoadAsync(service.Address, Administrator, null, options.WarmUp, [], report: false, cancellationToken)).Runner.Users;
        }

        SqliteConnection.ClearAllPools();
        await using var baseline = await RowOnlyBaseline.StartAsync(Path.Combine(directory, "users.db"), cancellationToken);
        await RunLoadAsync(baseline.Address, null, users, options.WarmUp, [], report: false, cancellationToken);
        var (measured, _) = await RunLoadAsync(baseline.Address, null, users, options.Duration, [], report: true, cancellationToken);
        return new PeerRun(PeerSystem.RowOnlyBaseline, round, measured, null);
    }

    private async Task<(LoadResult Result, LoadRunner Runner)> RunLoadAsync(Uri address, SignInCredentials? signIn, IReadOnlyList<KnownUser>? users,
        TimeSpan duration, IReadOnlyList<string> processes, bool report, CancellationToken cancellationToken)
    {
        var runner = new LoadRunner(new LoadOptions
        {
            UserService = address,
            SignIn = signIn,
            AuditService = null,
            Connections = options.Connections,
            Duration = duration,
            Workload = Workload.Renames,
            ExistingUsers = users,
            Processes = processes,
        });
        var result = await runner.RunAsync(report ? progress : null, cancellationToken);
        if (report)
        {
            await log.WriteAsync(LoadReport.Format(result));
        }

        return (result, runner);
    }

    // One ledger over the warm-up and the measured phase: both phases' changes are on the topic.
    private static Ledger Combine(params Ledger[] ledgers)
    {
        var all = new Ledger();
        foreach (var (change, record) in ledgers.SelectMany(l => l.Changes))
        {
            if (record.Outcome == ChangeOutcome.Acknowledged)
            {
                all.Acknowledge(change, record.AcknowledgedAt, record.Measured);
            }
            else
            {
                all.MarkUncertain(change);
            }
        }

        return all;
    }

    private static PeerSummary Summarize(PeerSystem system, List<PeerRun> runs)
    {
        var peaks = runs.SelectMany(r => r.Renames.PeakRssMiB.Values).ToList();
        var checks = runs.Where(r => r.Check is not null).Select(r => r.Check!.Passed).ToList();
        return new PeerSummary(system,
            Math.Round(Median(runs.Select(r => r.Renames.Total.RequestsPerSecond)), 1),
            Math.Round(Median(runs.Select(r => r.Renames.Total.Latency.P50)), 2),
            Math.Round(Median(runs.Select(r => r.Renames.Total.Latency.P99)), 2),
            peaks.Count == 0 ? null : peaks.Max(),
            checks.Count == 0 ? null : checks.All(c => c));
    }

    private static PeerRatios Compare(List<PeerSummary> systems)
    {
        var of = systems.ToDictionary(s => s.System);
        var service = of[PeerSystem.UserService];
        var fastest = of[PeerSystem.WolverineAdoNet].RenamesPerSecond >= of[PeerSystem.WolverineEfCore].RenamesPerSecond
            ? of[PeerSystem.WolverineAdoNet]
            : of[PeerSystem.WolverineEfCore];
        var before = of.GetValueOrDefault(PeerSystem.UserServiceBefore);
        var native = of.GetValueOrDefault(PeerSystem.UserServiceNative);
        return new PeerRatios(fastest.System,
            Ratio(service.RenamesPerSecond, fastest.RenamesPerSecond),
            Ratio(service.RenamesPerSecond, of[PeerSystem.WolverineEfCore].RenamesPerSecond),
            Ratio(service.RenamesPerSecond, of[PeerSystem.WolverineAdoNet].RenamesPerSecond),
            Ratio(service.RenamesPerSecond, of[PeerSystem.RowOnlyBaseline].RenamesPerSecond),
            Ratio(service.P99Ms, fastest.P99Ms),
            before is null ? null : Ratio(service.RenamesPerSecond, before.RenamesPerSecond),
            before is null ? null : Ratio(service.P99Ms, before.P99Ms),
            native is null ? null : Ratio(native.RenamesPerSecond, service.RenamesPerSecond),
            native is null ? null : Ratio(native.RenamesPerSecond, fastest.RenamesPerSecond));
    }

    private static double Ratio(double numerator, double denominator) => denominator > 0 ? Math.Round(numerator / denominator, 3) : 0; // 0, not NaN: JSON has no NaN

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
