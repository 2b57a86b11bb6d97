using System.Globalization;

namespace UserAudit.LoadTest.Load;

/// <summary>Whether a soak held steady: the audit check, each service's memory, the WAL files.</summary>
/// <param name="AuditPassed">Every acknowledged change audited exactly once and in order, nothing else audited.</param>
/// <param name="Rss">Each service's resident memory at the end against a reference sample.</param>
/// <param name="Wal">Whether the WAL files stayed bounded.</param>
/// <param name="Passed">All of them.</param>
public sealed record SoakVerdict(bool AuditPassed, RssCheck Rss, WalCheck Wal, bool Passed)
{
    /// <summary>The reference time of the memory check: minute 5, or 1/6 of a load shorter than 10 minutes.</summary>
    public static readonly TimeSpan Reference = TimeSpan.FromMinutes(5);

    /// <summary>Largest relative change of resident memory from the reference to the end.</summary>
    public const double RssTolerance = 0.10;

    /// <summary>Largest growth of a WAL file's maximum from the first two thirds of the load to the last third.</summary>
    public const double WalGrowthTolerance = 0.10;

    /// <summary>Judges the samples of the measured phase (<c>load</c>) and the run's audit check.</summary>
    public static SoakVerdict Judge(IReadOnlyList<SoakSample> samples, LoadResult load, SoakOptions options)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(options);
        var measured = samples.Where(s => s.Phase == "load").ToList();
        var rss = JudgeRss(measured, load.Seconds, options.Processes);
        var wal = JudgeWal(measured, options.WalLimitMiB, options.WalCheckpointMiB);
        var audit = load.Audit is { Passed: true };
        return new SoakVerdict(audit, rss, wal, audit && rss.Passed && wal.Passed);
    }

    private static RssCheck JudgeRss(List<SoakSample> measured, double loadSeconds, IReadOnlyList<string> services)
    {
        var ci = CultureInfo.InvariantCulture;
        var shortRun = loadSeconds < 2 * Reference.TotalSeconds;
        var target = shortRun ? loadSeconds / 6 : Reference.TotalSeconds;
        var definition = string.Create(ci, $"each service's RSS in the last sample of the load within ±{RssTolerance:P0} of its RSS in the sample nearest to ")
            + (shortRun ? string.Create(ci, $"{target:N0} s (1/6 of a load shorter than 10 minutes, instead of minute 5)") : "minute 5");
        if (measured.Count < 2)
        {
            return new RssCheck(definition, null, null, [], false);
        }

        var reference = measured.MinBy(s => Math.Abs(s.Seconds - target))!;
        var end = measured[^1];
        var checks = new List<ServiceRss>();
        foreach (var service in services)
        {
            var before = reference.RssMiB.GetValueOrDefault(service);
            var after = end.RssMiB.GetValueOrDefault(service);
            double? change = before is > 0 && after is not null ? Math.Round((after.Value - before.Value) / before.Value, 4) : null;
            checks.Add(new ServiceRss(service, before, after, change,
                change is not null && Math.Abs(change.Value) <= RssTolerance && reference.Seconds < end.Seconds));
        }

        return new RssCheck(definition, reference.Seconds, end.Seconds, checks, checks.Count > 0 && checks.All(c => c.Passed));
    }

    private static WalCheck JudgeWal(List<SoakSample> measured, double limitMiB, double checkpointMiB)
    {
        var ci = CultureInfo.InvariantCulture;
        var definition = string.Create(ci,
            $"every sample of every WAL file ≤ {limitMiB:N0} MiB, and each file's largest sample in the last third of the load ≤ "
            + $"{1 + WalGrowthTolerance:P0} of its largest in the first two thirds, or ≤ {checkpointMiB:N0} MiB (the services' checkpoint size, "
            + $"up to which a WAL fills before it is reused from its start)");
        var withWal = measured.Where(s => s.WalMiB is { Count: > 0 }).ToList();
        if (withWal.Count == 0)
        {
            return new WalCheck(definition, limitMiB, checkpointMiB, [], false);
        }

        var boundary = measured[^1].Seconds * 2 / 3;
        var files = new List<WalFileCheck>();
        foreach (var file in withWal.SelectMany(s => s.WalMiB!.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var sizes = withWal.Where(s => s.WalMiB!.ContainsKey(file)).Select(s => (s.Seconds, MiB: s.WalMiB![file])).ToList();
            var max = sizes.Max(s => s.MiB);
            var early = sizes.Where(s => s.Seconds <= boundary).Select(s => (double?)s.MiB).Max();
            var late = sizes.Where(s => s.Seconds > boundary).Select(s => (double?)s.MiB).Max();
            var growing = late is not null && late > checkpointMiB && late > (early ?? 0) * (1 + WalGrowthTolerance);
            files.Add(new WalFileCheck(file, max, early, late, max <= limitMiB && !growing));
        }

        return new WalCheck(definition, limitMiB, checkpointMiB, files, files.All(f => f.Passed));
    }
}

/// <summary>The memory part of a soak's verdict.</summary>
/// <param name="Definition">What was checked, in words.</param>
/// <param name="ReferenceSeconds">Time of the reference sample; null with fewer than two samples.</param>
/// <param name="EndSeconds">Time of the last sample of the load.</param>
/// <param name="Services">Per service.</param>
/// <param name="Passed">Every service within the tolerance (a service never found fails).</param>
public sealed record RssCheck(string Definition, double? ReferenceSeconds, double? EndSeconds, IReadOnlyList<ServiceRss> Services, bool Passed);

/// <summary>One service's memory at the reference and at the end.</summary>
/// <param name="Service">Its process name.</param>
/// <param name="ReferenceMiB">RSS at the reference sample.</param>
/// <param name="EndMiB">RSS at the last sample of the load.</param>
/// <param name="Change">Relative change (0.05: 5 % more).</param>
/// <param name="Passed">Within the tolerance.</param>
public sealed record ServiceRss(string Service, double? ReferenceMiB, double? EndMiB, double? Change, bool Passed);

/// <summary>The WAL part of a soak's verdict.</summary>
/// <param name="Definition">What "bounded" means here, in words.</param>
/// <param name="LimitMiB">The absolute limit.</param>
/// <param name="CheckpointMiB">The size up to which a WAL file may grow late in the load (filling up to the checkpoint).</param>
/// <param name="Files">Per WAL file seen; none fails the check.</param>
/// <param name="Passed">Every file bounded.</param>
public sealed record WalCheck(string Definition, double LimitMiB, double CheckpointMiB, IReadOnlyList<WalFileCheck> Files, bool Passed);

/// <summary>One WAL file over the load.</summary>
/// <param name="File">Its path under the data root.</param>
/// <param name="MaxMiB">Its largest sample.</param>
/// <param name="MaxFirstTwoThirdsMiB">Its largest sample in the first two thirds of the load; null if it was not seen then (counted as 0).</param>
/// <param name="MaxLastThirdMiB">Its largest sample in the last third; null if it was not seen then.</param>
/// <param name="Passed">Below the limit and not growing.</param>
public sealed record WalFileCheck(string File, double MaxMiB, double? MaxFirstTwoThirdsMiB, double? MaxLastThirdMiB, bool Passed);
