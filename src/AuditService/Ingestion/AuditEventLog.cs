using AuditService.Store;

namespace AuditService.Ingestion;

/// <summary>
/// Logs every stored event in a readable line, as the original audit service printed it. Its own
/// category (<c>AuditService.Events</c>) lets operators quiet it under heavy load.
/// </summary>
public sealed partial class AuditEventLog(ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("AuditService.Events");

    /// <summary>Logs one stored event: attributes, extensions and data (JSON data as text).</summary>
    public void Stored(AuditRecord record)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var data = record.DataJson ?? (record.DataBytes is null ? "(none)" : $"({record.DataBytes.Length} bytes)");
        LogEvent(_logger, record.Id, record.Type, record.Source, record.Subject, record.Time, record.DataContentType, data);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "CloudEvent stored: id={CloudEventId} type={CloudEventType} source={CloudEventSource} subject={CloudEventSubject} "
            + "time={CloudEventTime:O} datacontenttype={DataContentType} data={Data}")]
    private static partial void LogEvent(
        ILogger logger, string cloudEventId, string cloudEventType, string cloudEventSource, string? cloudEventSubject,
        DateTimeOffset? cloudEventTime, string? dataContentType, string data);
}
