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
    private volatile HealthReport? _latest;

    /// <summary>The latest report; null until the first publication.</summary>
    public HealthReport? Latest => _latest;

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
