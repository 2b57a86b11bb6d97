using System.Globalization;
using System.Text;
using System.Text.Json;

namespace UserAudit.LoadTest.Load;

/// <summary>Prints a run as a table and writes it as JSON.</summary>
public static class LoadReport
{
    /// <summary>The table, ready to print.</summary>
    public static string Format(LoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        var loop = result.TargetRate is { } rate ? string.Create(ci, $"open loop at {rate:N0} requests/s") : "closed loop";
        text.AppendLine(ci, $"workload {result.Workload}, {result.Connections} connections, {loop}, {result.Seconds:N1} s measured");
        text.AppendLine(ci, $"{"operation",-10} {"requests",10} {"ok",10} {"failed",8} {"ok/s",9} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"max ms",8}");
        foreach (var op in result.Operations.Append(result.Total))
        {
            text.AppendLine(ci,
                $"{op.Operation,-10} {op.Requests,10:N0} {op.Succeeded,10:N0} {op.Failed,8:N0} {op.RequestsPerSecond,9:N1} "
                + $"{op.Latency.P50,8:N1} {op.Latency.P95,8:N1} {op.Latency.P99,8:N1} {op.Latency.Max,8:N1}");
        }

        if (result.Errors.Count > 0)
        {
            text.AppendLine("failures: " + string.Join(", ", result.Errors.Select(e => string.Create(ci, $"{e.Key} × {e.Value:N0}"))));
        }

        if (result.Freshness is { } f)
        {
            text.AppendLine(ci,
                $"freshness (2xx answer → event visible in the audit API, {result.Watch}): "
                + $"p50 {f.P50:N0} ms, p95 {f.P95:N0} ms, p99 {f.P99:N0} ms, max {f.Max:N0} ms over {f.Count:N0} changes");
        }

        if (result.Audit is { } audit)
        {
            var settled = result.SettleSeconds is { } s
                ? string.Create(ci, $"; all visible {s:N2} s after the last answer")
                : "; NOT all visible before the settle timeout";
            text.AppendLine("audit check: " + audit + settled);
        }

        if (result.PeakRssMiB.Count > 0)
        {
            text.AppendLine("peak resident memory: " + string.Join(", ", result.PeakRssMiB.Select(p => string.Create(ci, $"{p.Key} {p.Value:N0} MiB"))));
        }

        return text.ToString();
    }

    /// <summary>The progress line.</summary>
    public static string Format(LoadProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return string.Create(CultureInfo.InvariantCulture,
            $"[{progress.Phase,-6} {progress.Elapsed.TotalSeconds,5:N0} s] {progress.Requests,9:N0} answered {progress.RequestsPerSecond,8:N0}/s  "
            + $"failed {progress.Errors:N0}  audited {progress.Audited:N0} of {progress.Acknowledged:N0} acknowledged");
    }

    /// <summary>Writes <paramref name="result"/> to <paramref name="path"/> as indented JSON.</summary>
    public static async Task WriteJsonAsync(object result, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, result, result.GetType(), LoadJsonContext.Default, cancellationToken);
    }
}
