using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace UserAudit.LoadTest.Load;

/// <summary>
/// Drives a running UserService with concurrent clients, follows the audit API while it does, and
/// at the end checks that every acknowledged change was audited exactly once.
/// </summary>
public sealed class LoadRunner(LoadOptions options)
{
    private static readonly TimeSpan SettleCheckInterval = TimeSpan.FromMilliseconds(25);
    private VirtualClient[] _clients = [];
    private volatile LoadCounters? _counters;
    private volatile AuditWatcher? _watcher;
    private volatile string _phase = "setup";

    /// <summary>Every change sent so far and its outcome.</summary>
    public Ledger Ledger { get; } = new();

    /// <summary>The users the clients hold at the end of the run, with their versions.</summary>
    public IReadOnlyList<KnownUser> Users => [.. _clients.SelectMany(c => c.Users)];

    /// <summary>Where the run is: setup, load (the measured phase), settle (waiting for the audit store), or done.</summary>
    public string Phase => _phase;

    /// <summary>Requests answered so far, set-up included.</summary>
    public long Answered => _counters?.CompletedCount ?? 0;

    /// <summary>Acknowledged changes not yet visible in the audit API; null before the run starts or without AuditService.</summary>
    public long? Unaudited
    {
        get
        {
            if (_watcher is not { } watcher)
            {
                return null;
            }

            // Audited first: what is acknowledged only grows, so the difference is never below the truth.
            var audited = watcher.CountAudited(Ledger);
            return Math.Max(0, Ledger.Acknowledged - audited);
        }
    }

    /// <summary>
    /// Waits until the run has acknowledged <paramref name="count"/> changes of its measured phase,
    /// so that a fault scenario strikes while load is under way, whatever the machine's speed.
    /// </summary>
    /// <param name="count">Measured acknowledged changes to wait for.</param>
    /// <param name="running">The run; if it ends first, the wait fails.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="InvalidOperationException">The run ended before that many changes were acknowledged.</exception>
    public async Task WaitForMeasuredAsync(long count, Task running, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(running);
        while (Ledger.MeasuredAcknowledged < count)
        {
            if (running.IsCompleted)
            {
                throw new InvalidOperationException(
                    $"The run ended after {Ledger.MeasuredAcknowledged} measured acknowledged change(s), before {count}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    /// <summary>Runs the set-up, the measured phase and the audit check.</summary>
    /// <param name="progress">Receives a snapshot about once a second.</param>
    /// <param name="cancellationToken">Stops the run early; the figures cover what was done.</param>
    public async Task<LoadResult> RunAsync(IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        using var users = CreateClient(options.UserService, options.Connections, options.RequestTimeout);
        await using var session = await UserServiceSession.StartAsync(users, options.SignIn, cancellationToken);
        using var audit = options.AuditService is null ? null : CreateClient(options.AuditService, 4, TimeSpan.FromMinutes(5));
        audit?.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.AuditApiKey);

        // Event times come from the services' clock on the same machine; the margin covers skew in CI containers.
        var from = DateTimeOffset.UtcNow.AddSeconds(-5);
        using var background = new CancellationTokenSource();
        var watcher = audit is null ? null : AuditWatcher.Create(options, audit, from);
        _watcher = watcher;
        var watching = watcher?.RunAsync(background.Token) ?? Task.CompletedTask;
        if (watcher is not null)
        {
            await watcher.ReadyAsync(cancellationToken);
        }

        var memory = new ProcessMemory(options.Processes, TimeSpan.FromMilliseconds(500));
        var sampling = memory.RunAsync(background.Token);

        var counters = new LoadCounters(options.Requests);
        _counters = counters;
        var runToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        _clients = [.. Enumerable.Range(0, options.Connections).Select(i => new VirtualClient(i, options, users, session, Ledger, counters, runToken))];
        _phase = "setup";
        var started = Stopwatch.GetTimestamp();
        using var reporting = new CancellationTokenSource();
        var reporter = ReportAsync(progress, counters, watcher, () => _phase, () => started, reporting.Token);

        try
        {
            await Task.WhenAll(_clients.Select(c => c.SetUpAsync(options.ExistingUsers, cancellationToken)));

            _phase = "load";
            started = Stopwatch.GetTimestamp();
            var deadline = started + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency);
            await Task.WhenAll(_clients.Select(c => c.RunAsync(started, deadline, cancellationToken)));
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

            Percentiles? freshness = null;
            AuditVerdict? verdict = null;
            double? settleSeconds = null;
            if (watcher is not null && audit is not null)
            {
                _phase = "settle";
                var settleStarted = Stopwatch.GetTimestamp();
                var settleDeadline = settleStarted + (long)(options.SettleTimeout.TotalSeconds * Stopwatch.Frequency);
                while (watcher.CountAudited(Ledger) < Ledger.Acknowledged && Stopwatch.GetTimestamp() < settleDeadline)
                {
                    await Task.Delay(SettleCheckInterval, cancellationToken);
                }

                if (watcher.CountAudited(Ledger) >= Ledger.Acknowledged)
                {
                    settleSeconds = Stopwatch.GetElapsedTime(settleStarted).TotalSeconds;
                }

                freshness = Percentiles.Of(watcher.Freshness(Ledger));
                verdict = Ledger.Compare(await AuditStoreCheck.ReadAsync(audit, options.EventSource, from, cancellationToken));
            }

            return Summarize(seconds, freshness, verdict, settleSeconds, memory);
        }
        finally
        {
            _phase = "done";
            await reporting.CancelAsync();
            await reporter;
            await background.CancelAsync();
            await Task.WhenAll(watching, sampling);
        }
    }

    private LoadResult Summarize(double seconds, Percentiles? freshness, AuditVerdict? verdict, double? settleSeconds, ProcessMemory memory)
    {
        var operations = new List<OperationResult>();
        var all = new List<double>();
        long sent = 0, failed = 0;
        foreach (var operation in (string[])["create", "rename", "password", "delete"])
        {
            var latencies = _clients.SelectMany(c => c.Latencies.GetValueOrDefault(operation) ?? []).ToList();
            var (opSent, opFailed) = _clients.Select(c => c.Counts.GetValueOrDefault(operation)).Aggregate((0L, 0L), (a, b) => (a.Item1 + b.Sent, a.Item2 + b.Failed));
            if (opSent == 0)
            {
                continue;
            }

            all.AddRange(latencies);
            sent += opSent;
            failed += opFailed;
            operations.Add(new OperationResult(operation, opSent, opSent - opFailed, opFailed, (opSent - opFailed) / seconds, Percentiles.Of(latencies)));
        }

        var errors = _clients.SelectMany(c => c.Errors).GroupBy(e => e.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(e => e.Value), StringComparer.Ordinal);
        var total = new OperationResult("all", sent, sent - failed, failed, (sent - failed) / seconds, Percentiles.Of(all));
        return new LoadResult(options.Workload.ToString().ToLowerInvariant(), options.Connections, options.Rate, Math.Round(seconds, 2),
            operations, total, errors, freshness, _watcher?.Method, verdict,
            settleSeconds is null ? null : Math.Round(settleSeconds.Value, 2), memory.PeakMiB);
    }

    private async Task ReportAsync(IProgress<LoadProgress>? progress, LoadCounters counters, AuditWatcher? watcher, Func<string> phase, Func<long> started, CancellationToken cancellationToken)
    {
        if (progress is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        long previous = 0;
        var previousAt = Stopwatch.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var completed = counters.CompletedCount;
                var now = Stopwatch.GetTimestamp();
                var rate = (completed - previous) / Stopwatch.GetElapsedTime(previousAt, now).TotalSeconds;
                (previous, previousAt) = (completed, now);
                progress.Report(new LoadProgress(Stopwatch.GetElapsedTime(started(), now), completed, counters.ErrorCount, rate,
                    Ledger.Acknowledged, watcher?.CountAudited(Ledger) ?? 0, phase()));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>A client with one pooled connection per concurrent request and no proxy.</summary>
    internal static HttpClient CreateClient(Uri baseAddress, int connections, TimeSpan timeout) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = baseAddress,
            Timeout = timeout,
        };
}
