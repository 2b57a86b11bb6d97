using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;

namespace AuditService.Store;

/// <summary>
/// One event as its row holds it: every column's value exactly as written, which is what the hash
/// chain covers (<see cref="Integrity.AuditHashing"/>), and the way back to an <see cref="AuditRecord"/>.
/// </summary>
public sealed record AuditRow(
    string Source, string Id, string Type, string SpecVersion, string? Subject, string? Time, long? TimeUnixMs,
    string? DataContentType, string? DataSchema, string Extensions, IReadOnlyDictionary<string, string> ExtensionMap,
    string? DataJson, byte[]? DataBytes, string? KafkaTopic, int? KafkaPartition, long? KafkaOffset,
    string ReceivedAt, long ReceivedUnixMs, string? IngestedBy, string? AuthType, string? AuthId)
{
    /// <summary>The columns read by <see cref="Read"/>, after <c>seq</c>; the INSERT writes the same ones.</summary>
    public const string Columns =
        "source, id, type, specversion, subject, time, time_unix_ms, datacontenttype, dataschema, extensions, data_json, data_bytes, "
        + "kafka_topic, kafka_partition, kafka_offset, received_at, received_unix_ms, ingested_by, authtype, authid";

    /// <summary>The columns of a record, rendered as they are stored.</summary>
    public static AuditRow From(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new AuditRow(
            record.Source, record.Id, record.Type, record.SpecVersion, record.Subject,
            record.Time?.ToString("O", CultureInfo.InvariantCulture), record.Time?.ToUnixTimeMilliseconds(),
            record.DataContentType, record.DataSchema,
            JsonSerializer.Serialize(record.Extensions, AuditStoreJsonContext.Default.IReadOnlyDictionaryStringString), record.Extensions,
            record.DataJson, record.DataBytes, record.Kafka?.Topic, record.Kafka?.Partition, record.Kafka?.Offset,
            record.ReceivedAt.ToString("O", CultureInfo.InvariantCulture), record.ReceivedAt.ToUnixTimeMilliseconds(), record.IngestedBy,
            record.Extensions.GetValueOrDefault(AuthTypeName), record.Extensions.GetValueOrDefault(AuthIdName));
    }

    /// <summary>
    /// Whether the actor columns (<c>authtype</c>, <c>authid</c>) still copy the extensions. They are
    /// indexes into the event, not part of it: the hashes cover the extensions, and this covers the copies.
    /// </summary>
    public bool ActorColumnsHold =>
        AuthType == ExtensionMap.GetValueOrDefault(AuthTypeName) && AuthId == ExtensionMap.GetValueOrDefault(AuthIdName);

    /// <summary>
    /// Reads the row's <see cref="Columns"/> starting at <paramref name="first"/>. Extensions that are
    /// not a JSON object of strings (a row changed by hand) read as none; the hashes still cover the text.
    /// </summary>
    public static AuditRow Read(DbDataReader reader, int first)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var extensions = reader.GetString(first + 9);
        return new AuditRow(
            reader.GetString(first), reader.GetString(first + 1), reader.GetString(first + 2), reader.GetString(first + 3),
            Text(reader, first + 4), Text(reader, first + 5), Integer(reader, first + 6), Text(reader, first + 7), Text(reader, first + 8),
            extensions, ParseExtensions(extensions), Text(reader, first + 10), reader.IsDBNull(first + 11) ? null : (byte[])reader.GetValue(first + 11),
            Text(reader, first + 12), reader.IsDBNull(first + 13) ? null : reader.GetInt32(first + 13), Integer(reader, first + 14),
            reader.GetString(first + 15), reader.GetInt64(first + 16), Text(reader, first + 17), Text(reader, first + 18), Text(reader, first + 19));
    }

    /// <summary>The event the row holds.</summary>
    public AuditRecord ToRecord() => new(
        Source, Id, Type, SpecVersion, Subject,
        Time is null ? null : DateTimeOffset.Parse(Time, CultureInfo.InvariantCulture),
        DataContentType, DataSchema, ExtensionMap, DataJson, DataBytes,
        KafkaTopic is null || KafkaPartition is null || KafkaOffset is null ? null : new KafkaCoordinates(KafkaTopic, KafkaPartition.Value, KafkaOffset.Value),
        DateTimeOffset.Parse(ReceivedAt, CultureInfo.InvariantCulture), IngestedBy);

    /// <summary>Binds the columns to the INSERT's parameters, named <c>@c0</c> to <c>@c19</c> in <see cref="Columns"/> order.</summary>
    public void Bind(DbParameter[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var values = Values();
        for (var i = 0; i < values.Length; i++)
        {
            parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    /// <summary>The columns' values in <see cref="Columns"/> order, null for SQL NULL.</summary>
    public object?[] Values() =>
    [
        Source, Id, Type, SpecVersion, Subject, Time, TimeUnixMs, DataContentType, DataSchema, Extensions, DataJson, DataBytes,
        KafkaTopic, KafkaPartition, KafkaOffset, ReceivedAt, ReceivedUnixMs, IngestedBy, AuthType, AuthId,
    ];

    private static readonly string AuthTypeName = UserAudit.CloudEvents.AuthContextExtension.AuthType.Name;
    private static readonly string AuthIdName = UserAudit.CloudEvents.AuthContextExtension.AuthId.Name;

    /// <summary>The type of each of <see cref="Columns"/>, for parameters prepared before their first value.</summary>
    public static readonly IReadOnlyList<DbType> ColumnTypes =
    [
        DbType.String, DbType.String, DbType.String, DbType.String, DbType.String, DbType.String, DbType.Int64, DbType.String, DbType.String,
        DbType.String, DbType.String, DbType.Binary, DbType.String, DbType.Int32, DbType.Int64, DbType.String, DbType.Int64, DbType.String,
        DbType.String, DbType.String,
    ];

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static long? Integer(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    private static IReadOnlyDictionary<string, string> ParseExtensions(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, AuditStoreJsonContext.Default.IReadOnlyDictionaryStringString) ?? new Dictionary<string, string>();
        }
        catch (JsonException)
        {
            return new Dictionary<string, string>();
        }
    }
}
