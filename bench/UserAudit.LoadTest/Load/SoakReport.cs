using System.Globalization;
using System.Text;

namespace UserAudit.LoadTest.Load;

/// <summary>Prints a soak's samples as a short table (first, reference, end of load, largest) and its verdict.</summary>
public static class SoakReport
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>The summary, ready to print.</summary>
    public static string Format(SoakResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        var load = result.Samples.Where(s => s.Phase == "load").ToList();
        var verdict = result.Verdict;
        text.AppendLine(Ci,
            $"soak: {result.Load.Seconds:N0} s of load at {result.Options.Rate:N0} requests/s (achieved {result.Load.Total.RequestsPerSecond:N1}/s), "
            + $"{result.Samples.Count} samples every {result.Options.Sampling.SampleIntervalSeconds:N0} s ({load.Count} during the load), "
            + $"data root {result.Options.Sampling.DataRoot}");
        if (load.Count > 0)
        {
            var reference = load.FirstOrDefault(s => s.Seconds == verdict.Rss.ReferenceSeconds);
            var columns = (SoakSample?[])[load[0], reference, load[^1]];
            text.AppendLine(Ci,
                $"{"",-40} {"start",10} {Header("ref", reference),12} {Header("end", load[^1]),12} {"max",10}");
            foreach (var service in result.Options.Sampling.Processes)
            {
                Row(text, $"RSS {service} (MiB)", columns, load, s => s.RssMiB.GetValueOrDefault(service), "N1");
            }

            foreach (var file in load.SelectMany(s => s.WalMiB?.Keys ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                Row(text, $"WAL {file} (MiB)", columns, load, s => s.WalMiB?.GetValueOrDefault(file), "N2");
            }

            Row(text, "outbox backlog (events)", columns, load, s => s.OutboxBacklog, "N0");
            Row(text, "consumer lag (events)", columns, load, s => s.ConsumerLag, "N0");
            Row(text, "audit backlog (acknowledged − audited)", columns, load, s => s.AuditBacklog, "N0");
            Row(text, "requests/s", columns, load, s => s.RequestsPerSecond, "N1");
        }

        text.AppendLine("checks:");
        text.AppendLine("  audit: " + (result.Load.Audit?.ToString() ?? "not run") + Mark(verdict.AuditPassed));
        text.AppendLine("  memory: " + verdict.Rss.Definition);
        foreach (var service in verdict.Rss.Services)
        {
            text.AppendLine(string.Create(Ci,
                $"    {service.Service}: {Value(service.ReferenceMiB, "N1")} → {Value(service.EndMiB, "N1")} MiB ({Value(service.Change, "+0.0 %;-0.0 %")})")
                + Mark(service.Passed));
        }

        if (verdict.Rss.Services.Count == 0)
        {
            text.AppendLine("    too few samples during the load" + Mark(false));
        }

        text.AppendLine("  WAL bounded: " + verdict.Wal.Definition);
        foreach (var file in verdict.Wal.Files)
        {
            text.AppendLine(string.Create(Ci,
                $"    {file.File}: max {file.MaxMiB:N2} MiB; first two thirds {Value(file.MaxFirstTwoThirdsMiB, "N2")}, last third {Value(file.MaxLastThirdMiB, "N2")}")
                + Mark(file.Passed));
        }

        if (verdict.Wal.Files.Count == 0)
        {
            text.AppendLine("    no WAL file found under the data root" + Mark(false));
        }

        text.AppendLine(verdict.Passed ? "soak PASSED" : "soak FAILED");
        return text.ToString();
    }

    private static string Header(string name, SoakSample? sample) =>
        sample is null ? name : string.Create(Ci, $"{name} {sample.Seconds:N0} s");

    private static void Row(StringBuilder text, string metric, SoakSample?[] columns, List<SoakSample> load, Func<SoakSample, double?> value, string format)
    {
        var max = load.Select(value).Max();
        text.AppendLine(Ci,
            $"{metric,-40} {Value(Pick(columns[0], value), format),10} {Value(Pick(columns[1], value), format),12} {Value(Pick(columns[2], value), format),12} {Value(max, format),10}");
    }

    private static double? Pick(SoakSample? sample, Func<SoakSample, double?> value) => sample is null ? null : value(sample);

    private static string Value(double? value, string format) => value is { } v ? v.ToString(format, Ci) : "–";

    private static string Mark(bool passed) => passed ? "  → pass" : "  → FAIL";
}
