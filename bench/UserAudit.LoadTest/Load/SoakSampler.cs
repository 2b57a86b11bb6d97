using System.Diagnostics;

namespace UserAudit.LoadTest.Load;

/// <summary>
/// Samples the system beside a <see cref="LoadRunner"/>, every <see cref="SoakOptions.SampleInterval"/>
/// from the start of its measured phase until cancelled: the services' resident memory, the WAL
/// files, UserService's outbox backlog, AuditService's consumer lag, the achieved request rate and
/// the end-to-end backlog. It runs on a thread of its own: the broker's and the file's calls block,
/// and the load's clients must not wait for a thread behind them.
/// </summary>
public sealed class SoakSampler(SoakOptions options, LoadRunner runner) : IDisposable
{
    // Each broker answer; a sample waits at most a few of these when the broker is down.
    private static readonly TimeSpan BrokerTimeout = TimeSpan.FromSeconds(2);
    private readonly List<SoakSample> _samples = [];
    // Only the services that hold a file under this soak's data root open: not another checkout's copies.
    private readonly ProcessMemory _memory = new(options.Processes, options.SampleInterval, options.DataRoot);
    private readonly ConsumerLag _lag = new(options.Kafka, options.Group, options.Topic, BrokerTimeout);

    /// <summary>The samples so far, oldest first.</summary>
    public IReadOnlyList<SoakSample> Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }
    }

    /// <summary>Waits for the measured phase, then samples until <paramref name="cancellationToken"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Run(cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <inheritdoc />
    public void Dispose() => _lag.Dispose();

    private void Run(CancellationToken cancellationToken)
    {
        // The set-up (one user per client) is not part of the soak: time 0 is the start of the load.
        while (runner.Phase == "setup")
        {
            if (cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(20)))
            {
                return;
            }
        }

        var started = Stopwatch.GetTimestamp();
        var interval = (long)(options.SampleInterval.TotalSeconds * Stopwatch.Frequency);
        (long Answered, long At)? previous = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var phase = runner.Phase;
            var now = Stopwatch.GetTimestamp();
            var answered = runner.Answered;
            double? rate = previous is { } p ? Math.Round((answered - p.Answered) / Stopwatch.GetElapsedTime(p.At, now).TotalSeconds, 1) : null;
            previous = (answered, now);
            var memory = _memory.Current();
            var sample = new SoakSample(
                Math.Round(Stopwatch.GetElapsedTime(started, now).TotalSeconds, 1),
                phase,
                options.Processes.ToDictionary(n => n, n => memory.TryGetValue(n, out var m) ? m.MiB : (double?)null, StringComparer.Ordinal),
                options.Processes.ToDictionary(n => n, n => memory.TryGetValue(n, out var m) ? m.Processes : 0, StringComparer.Ordinal),
                WalFiles.Sizes(options.DataRoot),
                OutboxBacklog.Read(options.UserDatabase),
                _lag.Read(),
                rate,
                runner.Unaudited);
            lock (_samples)
            {
                _samples.Add(sample);
            }

            // The next tick on the schedule: a sample that overran (a broker down) skips the ticks it missed.
            var elapsed = Stopwatch.GetTimestamp() - started;
            var next = started + ((elapsed / interval) + 1) * interval;
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero && cancellationToken.WaitHandle.WaitOne(wait))
            {
                return;
            }
        }
    }
}
