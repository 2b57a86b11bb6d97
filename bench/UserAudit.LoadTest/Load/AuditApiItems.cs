using System.Text.Json;

namespace UserAudit.LoadTest.Load;

/// <summary>Reads a change's identity out of an item of the audit API (<c>GET /v1/audit-events</c>).</summary>
public static class AuditApiItems
{
    /// <summary>The stored change, or null for an event that names no user version (another source's).</summary>
    public static StoredChange? ToStoredChange(JsonElement item)
    {
        if (!item.TryGetProperty("subject", out var subject) || subject.ValueKind != JsonValueKind.String
            || !item.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty("version", out var version) || !version.TryGetInt64(out var v))
        {
            return null;
        }

        var change = new ChangeId(subject.GetString()!, v, item.GetProperty("type").GetString()!);
        var (partition, offset) = item.TryGetProperty("kafka", out var kafka) && kafka.ValueKind == JsonValueKind.Object
            ? (kafka.GetProperty("partition").GetInt32(), kafka.GetProperty("offset").GetInt64())
            : (-1, -1L);
        DateTimeOffset? receivedAt = item.TryGetProperty("receivedAt", out var received) ? received.GetDateTimeOffset() : null;
        return new StoredChange(change, partition, offset, receivedAt);
    }
}
