using System.Globalization;
using ScottPlot;

namespace UserAudit.LoadTest.Load;

/// <summary>
/// A soak's samples as one PNG: four stacked panels on a shared time axis in minutes (memory per
/// service, WAL size per file, the backlogs, the request rate), with the end of the load marked.
/// A missing sample value leaves no point (the line joins its neighbours).
/// </summary>
public static class SoakPlot
{
    private const int Width = 1200;
    private const int Height = 1400;
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>Writes the plot of <paramref name="result"/> to <paramref name="path"/>.</summary>
    public static void Write(SoakResult result, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        var samples = result.Samples;
        var multiplot = new Multiplot();
        multiplot.AddPlots(4);
        var plots = multiplot.GetPlots();
        var (memory, wal, backlog, rate) = (plots[0], plots[1], plots[2], plots[3]);

        var verdict = result.Verdict.Passed ? "PASSED" : "FAILED";
        memory.Title(string.Create(Ci,
            $"Soak at {result.Options.Rate:N0} requests/s for {result.Load.Seconds / 60:0.#} min ({verdict}): resident memory per service"));
        memory.YLabel("RSS (MiB)");
        foreach (var service in result.Options.Sampling.Processes)
        {
            Line(memory, service, samples, s => s.RssMiB.GetValueOrDefault(service));
        }

        if (result.Verdict.Rss.ReferenceSeconds is { } reference)
        {
            Marker(memory, reference, "RSS reference", LinePattern.Dotted);
        }

        wal.Title("SQLite WAL size per file");
        wal.YLabel("WAL (MiB)");
        foreach (var file in samples.SelectMany(s => s.WalMiB?.Keys ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            Line(wal, file, samples, s => s.WalMiB?.GetValueOrDefault(file));
        }

        backlog.Title("Backlogs");
        backlog.YLabel("events");
        Line(backlog, "outbox backlog (UserService)", samples, s => s.OutboxBacklog);
        Line(backlog, "consumer lag (AuditService's group)", samples, s => s.ConsumerLag);
        Line(backlog, "acknowledged, not yet in the audit API", samples, s => s.AuditBacklog);

        rate.Title("Achieved request rate");
        rate.YLabel("requests/s");
        rate.XLabel("time since the load started (min)");
        Line(rate, "answered requests/s", samples, s => s.RequestsPerSecond);
        Line(rate, "target", samples, _ => result.Options.Rate)?.LinePattern = LinePattern.Dashed;

        // Sample times count from the start of the measured phase, as the load's own length does; a
        // little room on the right keeps the end-of-load line off the frame.
        var right = Math.Max(samples.Count > 0 ? samples[^1].Seconds : 0, result.Load.Seconds) / 60 * 1.03;
        foreach (var plot in plots)
        {
            Marker(plot, result.Load.Seconds, "end of load", LinePattern.Dashed);

            // Every panel's data area starts at the same x, so that the time axes line up.
            plot.Layout.Fixed(new PixelPadding(90, 30, 50, 55));
            plot.Axes.SetLimitsX(0, Math.Max(right, 0.1));
            var top = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().SelectMany(p => p.Data.GetScatterPoints()).Select(p => p.Y).DefaultIfEmpty(0).Max();
            // Headroom above the lines for the legend in the upper left.
            plot.Axes.SetLimitsY(0, top > 0 ? top * 1.5 : 1);
            plot.ShowLegend(Alignment.UpperLeft);
        }

        multiplot.SharedAxes.ShareX(plots);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        multiplot.SavePng(path, Width, Height);
    }

    private static ScottPlot.Plottables.Scatter? Line(Plot plot, string label, IReadOnlyList<SoakSample> samples, Func<SoakSample, double?> value)
    {
        var points = samples.Select(s => (X: s.Seconds / 60, Y: value(s))).Where(p => p.Y is not null).ToList();
        if (points.Count == 0)
        {
            return null;
        }

        var scatter = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y!.Value).ToArray());
        scatter.LegendText = label;
        scatter.LineWidth = 2;
        scatter.MarkerSize = 4;
        return scatter;
    }

    private static void Marker(Plot plot, double seconds, string label, LinePattern pattern)
    {
        var line = plot.Add.VerticalLine(seconds / 60);
        line.LegendText = label;
        line.LinePattern = pattern;
        line.Color = Colors.Gray;
        line.LineWidth = 1.5f;
    }
}
