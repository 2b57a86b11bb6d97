using System.Security.Cryptography;
using System.Text;
using AuditService.Store;

namespace AuditService.Ingestion;

/// <summary>
/// Logs every stored event in a readable line. Its own category (<c>AuditService.Events</c>) lets
/// operators quiet it under heavy load. A sender chooses every attribute and the data, so the line
/// holds attributes escaped (<see cref="LogText"/>) and the data only as its size and SHA-256: a
/// sender can neither forge a log line nor push a secret it put in an event into the logs.
/// </summary>
public sealed partial class AuditEventLog(ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("AuditService.Events");

    /// <summary>Logs one stored event.</summary>
    public void Stored(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            var (size, hash) = DataDigest(record);
            var (id, type, source) = (LogText.Escape(record.Id)!, LogText.Escape(record.Type)!, LogText.Escape(record.Source)!);
            var (subject, contentType) = (LogText.Escape(record.Subject), LogText.Escape(record.DataContentType));
            LogEvent(_logger, id, type, source, subject, record.Time, contentType, size, hash);
        }
    }

    /// <summary>Logs a copy of a stored (source, id) that differs from it.</summary>
    public void Conflict(AuditRecord copy)
    {
        ArgumentNullException.ThrowIfNull(copy);
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            var (size, hash) = DataDigest(copy);
            LogConflict(_logger, LogText.Escape(copy.Source)!, LogText.Escape(copy.Id)!, LogText.Escape(copy.Type)!,
                copy.Kafka is null ? "http" : "kafka", LogText.Escape(copy.IngestedBy), size, hash);
        }
    }

    private static (int Size, string? Sha256) DataDigest(AuditRecord record)
    {
        var bytes = record.DataBytes ?? (record.DataJson is null ? null : Encoding.UTF8.GetBytes(record.DataJson));
        return bytes is null ? (0, null) : (bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "CloudEvent stored: id={CloudEventId} type={CloudEventType} source={CloudEventSource} subject={CloudEventSubject} "
            + "time={CloudEventTime:O} datacontenttype={DataContentType} data={DataSize} bytes sha256={DataSha256}")]
    private static partial void LogEvent(
        ILogger logger, string cloudEventId, string cloudEventType, string cloudEventSource, string? cloudEventSubject,
        DateTimeOffset? cloudEventTime, string? dataContentType, int dataSize, string? dataSha256);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Conflicting copy refused: source={CloudEventSource} id={CloudEventId} is stored with other content; the stored event stays. "
            + "The copy (type={CloudEventType}, via {Path}, key={IngestKey}, data={DataSize} bytes sha256={DataSha256}) is recorded in audit_conflicts")]
    private static partial void LogConflict(
        ILogger logger, string cloudEventSource, string cloudEventId, string cloudEventType, string path, string? ingestKey, int dataSize, string? dataSha256);
}
