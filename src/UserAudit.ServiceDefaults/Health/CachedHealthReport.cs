using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace UserAudit.ServiceDefaults.Health;

/// <summary>
/// The latest health report, published by the host's health-check publisher every few seconds, so
/// that <c>/health</c> answers from memory: a probe (or anyone else) never starts a Kafka metadata
/// call. Each check's change of status is logged, which is where its details go.
/// </summary>
public sealed partial class CachedHealthReport(ILogger<CachedHealthReport> logger) : IHealthCheckPublisher
{
    // While not healthy, a request may run the checks again, at most this often, so a probe sees a
    // recovery (or the end of start-up) within a second rather than at the next publication.
    private const long RefreshWhileUnhealthyMs = 1000;

    private readonly Lock _refreshLock = new();
    private volatile HealthReport? _latest;
    private long _refreshedAt = long.MinValue / 2;
    private Task<HealthReport>? _refresh;

    /// <summary>The latest report; null until the first publication.</summary>
    public HealthReport? Latest => _latest;

    /// <summary>
    /// The latest report when it is healthy. Otherwise (or before the first publication) the checks
    /// run again, at most once a second and once at a time whoever asks, so a probe never waits for
    /// the next publication to see a service that has come up, and nobody can make the checks run
    /// more often than that.
    /// </summary>
    public Task<HealthReport> CurrentAsync(HealthCheckService checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        var latest = _latest;
        if (latest is { Status: HealthStatus.Healthy })
        {
            return Task.FromResult(latest);
        }

        lock (_refreshLock)
        {
            if (_refresh is { IsCompleted: false } running)
            {
                return running;
            }

            if (latest is not null && Environment.TickCount64 - _refreshedAt < RefreshWhileUnhealthyMs)
            {
                return Task.FromResult(latest);
            }

            _refreshedAt = Environment.TickCount64;
            return _refresh = RefreshAsync(checks);
        }
    }

    private async Task<HealthReport> RefreshAsync(HealthCheckService checks)
    {
        var report = await checks.CheckHealthAsync(CancellationToken.None).ConfigureAwait(false);
        await PublishAsync(report, CancellationToken.None).ConfigureAwait(false);
        return report;
    }

    /// <inheritdoc />
    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var previous = _latest;
        _latest = report;
        foreach (var (name, entry) in report.Entries)
        {
            var before = previous?.Entries.TryGetValue(name, out var old) == true ? old.Status : HealthStatus.Healthy;
            if (entry.Status != before)
            {
                // The description is the check's own text (never a request's); exceptions stay out of it.
                LogChanged(logger, entry.Status == HealthStatus.Healthy ? LogLevel.Information : LogLevel.Warning, name, before, entry.Status, entry.Description);
            }
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Message = "Health check {Check}: {Before} -> {Status} ({Description})")]
    private static partial void LogChanged(ILogger logger, LogLevel level, string check, HealthStatus before, HealthStatus status, string? description);
}
