using System.Globalization;
using System.Text;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>Prints the peers command's summary table and ratios.</summary>
public static class PeerReport
{
    /// <summary>The summary, ready to print.</summary>
    public static string Format(PeerComparisonResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var ci = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var options = result.Options;
        text.AppendLine(ci,
            $"renames, {options.Connections} connections, {options.Duration.TotalSeconds:N0} s measured after {options.WarmUp.TotalSeconds:N0} s warm-up, "
            + $"median of {options.Rounds} interleaved rounds");
        text.AppendLine(ci, $"{"system",-23} {"renames/s",10} {"p50 ms",8} {"p99 ms",8} {"peak RSS",9}  exactly-once check");
        foreach (var s in result.Systems)
        {
            var rss = s.PeakRssMiB is { } mib ? string.Create(ci, $"{mib:N0} MiB") : "-";
            var check = s.ChecksPassed switch { true => "passed", false => "FAILED", null => "(publishes nothing)" };
            text.AppendLine(ci, $"{PeerComparison.NameOf(s.System),-23} {s.RenamesPerSecond,10:N0} {s.P50Ms,8:N1} {s.P99Ms,8:N1} {rss,9}  {check}");
        }

        var r = result.Ratios;
        text.AppendLine(ci, $"UserService / fastest peer ({PeerComparison.NameOf(r.FastestPeer)}): {r.OverFastestPeer:N2}x renames/s, {r.P99OverFastestPeer:N2}x p99");
        text.AppendLine(ci, $"UserService / Wolverine EF Core: {r.OverWolverineEfCore:N2}x; / Wolverine ADO.NET: {r.OverWolverineAdoNet:N2}x; / row-only baseline: {r.OverRowOnlyBaseline:N2}x");
        if (r.OverBefore is { } over)
        {
            text.AppendLine(ci, $"UserService / UserService (before): {over:N2}x renames/s, {r.P99OverBefore:N2}x p99");
        }

        if (r.NativeOverUserService is { } native)
        {
            text.AppendLine(ci, $"UserService (NativeAOT) / UserService: {native:N2}x renames/s; / fastest peer: {r.NativeOverFastestPeer:N2}x");
        }
        return text.ToString();
    }
}
