using System.Globalization;
using System.Text.RegularExpressions;
using UserAudit.LoadTest;
using UserAudit.LoadTest.Benchmarks;
using UserAudit.LoadTest.Load;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl+C ends the run early and still reports; the second one kills.
    e.Cancel = !cancel.IsCancellationRequested;
    cancel.Cancel();
};

try
{
    var line = new CommandLine(args);
    switch (line.Command)
    {
        case "load":
            {
                var options = LoadOptionsFrom(line, line.Choice<Workload>("workload") ?? Workload.Mixed);
                var json = line.Text("json");
                line.RejectUnknown();
                var (result, _) = await RunAsync(options, cancel.Token);
                await WriteAsync(result, json, cancel.Token);
                return AuditPassed(result) ? 0 : 1;
            }

        case "renames":
            {
                var options = LoadOptionsFrom(line, Workload.Renames);
                var database = line.Text("user-db") ?? Path.Combine(RepositoryRoot(), ".data", "user-service", "users.db");
                var json = line.Text("json");
                line.RejectUnknown();
                Console.WriteLine("== renames through UserService (row + outbox in one transaction, relay, Kafka, AuditService)");
                var service = await RunAsync(options, cancel.Token);
                Console.WriteLine("== renames through the row-only baseline (same row update, same database file, no outbox, no event)");
                await using var baseline = await RowOnlyBaseline.StartAsync(database, cancel.Token);
                var baselineResult = await RunAsync(options with { UserService = baseline.Address, AuditService = null, SignIn = null, ExistingUsers = service.Users, Processes = [] }, cancel.Token);
                var ratio = Math.Round(service.Figures.Total.RequestsPerSecond / baselineResult.Figures.Total.RequestsPerSecond, 3);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"renames: UserService {service.Figures.Total.RequestsPerSecond:N0}/s, baseline {baselineResult.Figures.Total.RequestsPerSecond:N0}/s, ratio {ratio:P0}"));
                await WriteAsync(new RenameBenchmarkResult(service.Figures, baselineResult.Figures, ratio), json, cancel.Token);
                return AuditPassed(service.Figures) ? 0 : 1;
            }

        case "creates":
            {
                var iterations = (int)(line.WholeNumber("iterations", 210_000, 10_000_000) ?? 210_000);
                var options = LoadOptionsFrom(line, Workload.Creates);
                var json = line.Text("json");
                line.RejectUnknown();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"== raw password hashing, {Environment.ProcessorCount} threads, {iterations:N0} iterations"));
                var hashes = HashRate.Measure(iterations, options.Duration);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{hashes:N1} hashes/s"));
                Console.WriteLine("== creates through UserService");
                var creates = await RunAsync(options, cancel.Token);
                Console.WriteLine("== password changes through UserService");
                var passwords = await RunAsync(options with { Workload = Workload.Passwords }, cancel.Token);
                var createRatio = Math.Round(creates.Figures.Total.RequestsPerSecond / hashes, 3);
                var passwordRatio = Math.Round(passwords.Figures.Total.RequestsPerSecond / hashes, 3);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"creates {creates.Figures.Total.RequestsPerSecond:N1}/s ({createRatio:P0} of hashing), "
                    + $"password changes {passwords.Figures.Total.RequestsPerSecond:N1}/s ({passwordRatio:P0}), raw hashing {hashes:N1}/s"));
                await WriteAsync(new CreateBenchmarkResult(iterations, Math.Round(hashes, 2), creates.Figures, createRatio, passwords.Figures, passwordRatio), json, cancel.Token);
                return AuditPassed(creates.Figures) && AuditPassed(passwords.Figures) ? 0 : 1;
            }

        case "soak":
            {
                var options = LoadOptionsFrom(line, Workload.Soak, defaultDuration: TimeSpan.FromMinutes(30), defaultRate: 500);
                if (options.AuditService is null)
                {
                    throw new UsageException("soak checks the audit store: it needs AuditService, not --audit-service none.");
                }

                var soak = new SoakOptions
                {
                    DataRoot = Path.GetFullPath(line.Text("data-root") ?? Path.Combine(RepositoryRoot(), ".data")),
                    Kafka = NonEmpty(line, "kafka") ?? "localhost:9092",
                    Group = NonEmpty(line, "group") ?? "audit",
                    Topic = NonEmpty(line, "topic") ?? "audit",
                    SampleInterval = line.Duration("sample-interval") ?? TimeSpan.FromSeconds(10),
                    Processes = options.Processes,
                };
                soak = soak with { WalLimitMiB = line.Number("wal-limit") ?? soak.WalLimitMiB };
                if (soak.SampleInterval * 2 > options.Duration)
                {
                    throw new UsageException($"--sample-interval ({soak.SampleInterval.TotalSeconds:N0} s) must be at most half of --duration ({options.Duration.TotalSeconds:N0} s).");
                }

                var json = line.Text("json") ?? "soak.json";
                line.RejectUnknown();
                var progress = new SynchronousProgress(p => Console.Error.WriteLine(LoadReport.Format(p)));
                var result = await new SoakRunner(options, soak).RunAsync(progress, cancel.Token);
                Console.WriteLine(LoadReport.Format(result.Load));
                Console.Write(SoakReport.Format(result));
                await WriteAsync(result, json, cancel.Token);
                var png = Path.ChangeExtension(json, ".png");
                try
                {
                    SoakPlot.Write(result, png);
                    Console.WriteLine("plot written to " + Path.GetFullPath(png));
                }
                catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or IOException or UnauthorizedAccessException)
                {
                    // The samples are in the JSON: a plot that cannot be drawn does not change the verdict.
                    await Console.Error.WriteLineAsync("soak: the plot could not be written: " + ex.Message);
                }

                return result.Verdict.Passed ? 0 : 1;
            }

        case "drain":
            {
                var events = (int)(line.WholeNumber("events", 1, 10_000_000) ?? 100_000);
                // 16: the mock cluster keeps about 5 MB per partition, so 100,000 events need at least 12.
                var partitions = (int)(line.WholeNumber("partitions", 1, 64) ?? 24);
                // 0: SQLite only; above 0, also a scratch PostgreSQL drained by one replica and by that many.
                var postgresReplicas = (int)(line.WholeNumber("postgres-replicas", 0, 16) ?? 0);
                var native = line.Text("audit-service-native");
                (string, string)? builds = native is null ? null
                    : (ServiceBuilds.Assembly(RepositoryRoot(), Path.Combine("src", "AuditService"), "AuditService"), ServiceBuilds.Existing(native, "--audit-service-native"));
                var json = line.Text("json");
                line.RejectUnknown();
                DrainResult result;
                try
                {
                    result = await DrainBenchmark.RunAsync(events, partitions, postgresReplicas, builds, Console.Out, cancel.Token);
                }
                catch (TimeoutException ex)
                {
                    await Console.Error.WriteLineAsync("drain: " + ex.Message);
                    return 1;
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"drain: AuditService {result.StoredPerSecond:N0} events/s stored, raw consume {result.RawConsumedPerSecond:N0}/s, ratio {result.Ratio:P0}; "
                    + $"raw insert {result.RawInsertedPerSecond:N0} rows/s, ratio {result.InsertRatio:P0}; store alone {result.StoreOnlyPerSecond:N0}/s"));
                if (result.Postgres is { } postgres)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"drain, events sent once all joined: SQLite {postgres.Sqlite:N0}/s; PostgreSQL 1 replica {postgres.OneReplica:N0}/s, "
                        + $"{postgres.Replicas} replicas {postgres.AllReplicas:N0}/s, {postgres.RatioToSqlite:N2}x SQLite's"));
                }

                await WriteAsync(result, json, cancel.Token);
                return result.Stored == events && (result.Postgres?.Stored.All(rows => rows == events) ?? true)
                    && (result.Processes?.All(p => p.Stored == events) ?? true) ? 0 : 1;
            }

        case "peers":
            {
                var options = new PeerComparisonOptions(
                    RepositoryRoot(),
                    (int)(line.WholeNumber("connections", 1, 4096) ?? 32),
                    line.Duration("warmup") ?? TimeSpan.FromSeconds(5),
                    line.Duration("duration") ?? TimeSpan.FromSeconds(30),
                    (int)(line.WholeNumber("rounds", 1, 20) ?? 2),
                    // 3: the AppHost's audit topic.
                    (int)(line.WholeNumber("partitions", 1, 256) ?? 3),
                    line.Duration("settle-timeout") ?? TimeSpan.FromMinutes(2),
                    line.Text("user-service-before"),
                    line.Text("user-service-native"));
                var json = line.Text("json");
                line.RejectUnknown();
                var progress = new SynchronousProgress(p => Console.Error.WriteLine(LoadReport.Format(p)));
                var result = await new PeerComparison(options, Console.Out, progress).RunAsync(cancel.Token);
                Console.WriteLine();
                Console.Write(PeerReport.Format(result));
                await WriteAsync(result, json, cancel.Token);
                return result.ChecksPassed ? 0 : 1;
            }

        default:
            Console.WriteLine(Usage);
            return line.Command == "help" ? 0 : 2;
    }
}
catch (Exception ex) when (ex is UsageException or ArgumentException)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}

// A run without an audit check (no AuditService) passes; one with a check passes only when it did.
static bool AuditPassed(LoadResult result)
{
    if (result.Audit is { Passed: false } audit)
    {
        Console.Error.WriteLine("audit check FAILED: " + audit);
        return false;
    }

    return true;
}

static async Task<(LoadResult Figures, IReadOnlyList<KnownUser> Users)> RunAsync(LoadOptions options, CancellationToken cancellationToken)
{
    var runner = new LoadRunner(options);
    var progress = new SynchronousProgress(p => Console.Error.WriteLine(LoadReport.Format(p)));
    var result = await runner.RunAsync(progress, cancellationToken);
    Console.WriteLine(LoadReport.Format(result));
    return (result, runner.Users);
}

static async Task WriteAsync(object result, string? path, CancellationToken cancellationToken)
{
    if (path is not null)
    {
        await LoadReport.WriteJsonAsync(result, path, cancellationToken);
        Console.WriteLine("results written to " + Path.GetFullPath(path));
    }
}

static LoadOptions LoadOptionsFrom(CommandLine line, Workload workload, TimeSpan? defaultDuration = null, double? defaultRate = null)
{
    var auditAddress = line.Text("audit-service");
    var audit = auditAddress is "none" ? null : line.Address("audit-service") ?? new Uri("http://localhost:8080");
    return new LoadOptions
    {
        UserService = line.Address("user-service") ?? new Uri("http://localhost:3000"),
        AuditService = audit,
        AuditApiKey = audit is null ? null : line.Text("api-key") ?? Environment.GetEnvironmentVariable("USERAUDIT_AUDIT_API_KEY") ?? FromUserSecrets("audit-api-key"),
        SignIn = AdministratorFrom(line),
        Connections = (int)(line.WholeNumber("connections", 1, 4096) ?? 32),
        Duration = line.Duration("duration") ?? defaultDuration ?? TimeSpan.FromSeconds(30),
        Requests = line.WholeNumber("requests", 1, long.MaxValue),
        Rate = line.Number("rate") ?? defaultRate,
        Workload = workload,
        Watch = line.Choice<AuditWatch>("watch") ?? AuditWatch.Stream,
        PollInterval = line.Duration("poll-interval") ?? TimeSpan.FromMilliseconds(25),
        SettleTimeout = line.Duration("settle-timeout") ?? TimeSpan.FromMinutes(2),
    };
}

// A text option that, when given, is not blank.
static string? NonEmpty(CommandLine line, string name) =>
    line.Text(name) is not { } text ? null : string.IsNullOrWhiteSpace(text) ? throw new UsageException($"--{name} must not be empty.") : text;

// The administrator UserService was started with: options, environment, or what `dotnet run --project
// src/UserAudit.AppHost` generated and keeps in the AppHost's user secrets.
static SignInCredentials? AdministratorFrom(CommandLine line)
{
    var id = line.Text("admin-id") ?? Environment.GetEnvironmentVariable("USERAUDIT_ADMIN_ID") ?? FromUserSecrets("admin-id");
    var password = line.Text("admin-password") ?? Environment.GetEnvironmentVariable("USERAUDIT_ADMIN_PASSWORD") ?? FromUserSecrets("admin-password");
    return id is null || password is null ? null : new SignInCredentials(id, password);
}

// A parameter `dotnet run --project src/UserAudit.AppHost` generated and keeps in the AppHost's user secrets.
static string? FromUserSecrets(string parameter)
{
    var project = Path.Combine(RepositoryRoot(), "src", "UserAudit.AppHost", "UserAudit.AppHost.csproj");
    var id = File.Exists(project) ? Regex.Match(File.ReadAllText(project), "<UserSecretsId>([^<]+)</UserSecretsId>").Groups[1].Value : "";
    var secrets = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".microsoft", "usersecrets", id, "secrets.json");
    if (id.Length == 0 || !File.Exists(secrets))
    {
        return null;
    }

    using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(secrets));
    return json.RootElement.TryGetProperty("Parameters:" + parameter, out var value) ? value.GetString() : null;
}

static string RepositoryRoot()
{
    foreach (var start in (string[])[Directory.GetCurrentDirectory(), AppContext.BaseDirectory])
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "UserAudit.sln")))
            {
                return directory.FullName;
            }
        }
    }

    return Directory.GetCurrentDirectory();
}

/// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SynchronousProgress(Action<LoadProgress> report) : IProgress<LoadProgress>
{
    public void Report(LoadProgress value) => report(value);
}

/// <summary>Usage text.</summary>
internal static partial class Program
{
    private const string Usage = """
        UserAudit load generator and end-to-end benchmarks. Start the system first:
          dotnet run -c Release --project src/UserAudit.AppHost

        Commands:
          load      N clients create, rename, change passwords and delete users; reports requests/s,
                    latency p50/p95/p99, freshness (2xx → visible in the audit API), checks that every
                    acknowledged change was audited exactly once, samples the services' memory.
          renames   Rename throughput through UserService, then through a row-only baseline (same
                    update, same database file, no outbox, no event) in the same run; the ratio.
          creates   Raw password hashing rate on all cores, then creates and password changes through
                    UserService; the ratios.
          soak      load's checks over a long run at a fixed rate (default 500 requests/s for 30m, the soak
                    workload: 98 % renames), sampling every 10s each service's RSS, the SQLite WAL files, the
                    outbox backlog, AuditService's consumer lag and the request rate; passes when nothing is
                    lost or duplicated, RSS at the end is within 10 % of minute 5's and the WAL files stay
                    bounded. Writes the samples as JSON and a plot of them as PNG beside it.
          drain     Self-contained: pre-fills a topic on an embedded broker, then measures the bare
                    Confluent.Kafka consume rate, a raw insert of the same rows into AuditService's
                    schema, and AuditService's stored-events rate; the ratios. With --postgres-replicas N,
                    also on a scratch PostgreSQL (this machine's initdb, removed after): its insert rates
                    row by row, multi-row and COPY, then AuditService with 1 replica and with N.
          peers     Self-contained: renames through UserService, the Wolverine peer (bench/peers) with its
                    EF Core outbox and with its outbox in a raw ADO.NET transaction, and the row-only
                    baseline, interleaved over rounds, each standalone with a fresh embedded broker and
                    database; renames/s, p50/p99, the ratios, and an exactly-once check of each topic.

        Options (load, renames, creates, soak):
          --user-service URL     default http://localhost:3000
          --audit-service URL    default http://localhost:8080; 'none' skips the audit check
          --api-key KEY          default $USERAUDIT_AUDIT_API_KEY, else the AppHost's user secrets
          --admin-id ID          administrator to sign in as; default $USERAUDIT_ADMIN_ID, else the AppHost's user secrets
          --admin-password PW    its password; default $USERAUDIT_ADMIN_PASSWORD, else the AppHost's user secrets
          --connections N        concurrent clients, default 32
          --duration T           measured phase, default 30s (500ms, 30s, 2m)
          --requests N           stop after N requests if that comes first
          --rate R               open loop at R requests/s over all clients (latency from due time)
          --workload W           load only: mixed (default), renames, creates, passwords, soak
          --watch W              how freshness is seen: stream (default: AuditService's live stream, each
                                 event as it is committed) or poll (the query API, newest first)
          --poll-interval T      with --watch poll: the poll interval, default 25ms (freshness resolution)
          --settle-timeout T     longest wait for every change to be audited, default 2m
          --json FILE            also write the results as JSON
          --user-db FILE         renames only: UserService's database, default .data/user-service/users.db
          --iterations N         creates only: PBKDF2 iterations of UserService, default 210000
        Options (soak only; --rate defaults to 500, --duration to 30m, --json to soak.json):
          --sample-interval T    time between samples, default 10s
          --data-root DIR        the AppHost's UserAudit:DataRoot, default <repository>/.data (UserService's
                                 user-service/users.db, AuditService's files under audit-service/)
          --kafka SERVERS        bootstrap servers, default localhost:9092 (the AppHost's embedded broker)
          --group ID             AuditService's consumer group, default audit
          --topic NAME           the audit topic, default audit
          --wal-limit MIB        largest WAL file allowed, default 128 (twice the services' 64 MiB checkpoint size)
        Options (drain): --events N (default 100000), --partitions N (default 24: the embedded broker keeps
          about 5 MB, 6,000 events, per partition), --postgres-replicas N (default 0: SQLite only), --json FILE,
          --audit-service-native EXE (AuditService published NativeAOT: it and the JIT-compiled AuditService.dll
          also drain the topic, each in its own process, with their peak resident memory)

        Options (peers): --connections N (default 32), --warmup T (default 5s), --duration T (default 30s),
          --rounds N (default 2), --partitions N (default 3, as the AppHost's topic),
          --settle-timeout T (default 2m), --json FILE,
          --user-service-before DLL (another build's UserService.dll, measured too: a change before and after in one run),
          --user-service-native EXE (UserService published NativeAOT, `dotnet publish -c Release -r linux-x64 src/UserService`,
          measured too: its memory and rate beside the JIT-compiled build's)

        Exit code: 0 done, 1 lost or duplicated events (load, peers), a failed soak or an incomplete drain, 2 bad command line.
        """;
}
