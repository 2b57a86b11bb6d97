using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CloudNative.CloudEvents;

namespace AuditService.Store;

/// <summary>
/// Writes a stored event in the CloudEvents JSON format: context attributes and extensions as
/// top-level members, JSON data as <c>data</c>, any other data as <c>data_base64</c>. Everything
/// goes through the writer, data included (parsed and written again, never copied raw), so an
/// event is always one line of valid JSON whatever its row holds.
/// </summary>
internal static class StructuredCloudEventJson
{
    /// <summary>Options of the writers: one line, characters kept as they are (the output is JSON, never HTML).</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    /// <summary>Writes one event object.</summary>
    /// <exception cref="JsonException">The row's JSON data is not JSON (changed by hand).</exception>
    public static void Write(Utf8JsonWriter writer, AuditRecord record)
    {
        writer.WriteStartObject();
        writer.WriteString("specversion"u8, record.SpecVersion);
        writer.WriteString("id"u8, record.Id);
        writer.WriteString("source"u8, record.Source);
        writer.WriteString("type"u8, record.Type);
        if (record.Subject is not null)
        {
            writer.WriteString("subject"u8, record.Subject);
        }

        if (record.Time is { } time)
        {
            writer.WriteString("time"u8, CloudEventAttributeType.Timestamp.Format(time));
        }

        if (record.DataContentType is not null)
        {
            writer.WriteString("datacontenttype"u8, record.DataContentType);
        }

        if (record.DataSchema is not null)
        {
            writer.WriteString("dataschema"u8, record.DataSchema);
        }

        // Extension names are lower-case alphanumerics (checked at ingestion), so they never
        // collide with the members above or with data/data_base64.
        foreach (var (name, value) in record.Extensions)
        {
            writer.WriteString(name, value);
        }

        if (record.DataJson is not null)
        {
            writer.WritePropertyName("data"u8);
            using var data = JsonDocument.Parse(record.DataJson);
            data.RootElement.WriteTo(writer);
        }
        else if (record.DataBytes is not null)
        {
            writer.WriteBase64String("data_base64"u8, record.DataBytes);
        }

        writer.WriteEndObject();
    }

    /// <summary>One event as a JSON text.</summary>
    public static string ToText(AuditRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, record);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
