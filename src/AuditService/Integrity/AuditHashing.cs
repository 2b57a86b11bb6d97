using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using AuditService.Store;

namespace AuditService.Integrity;

/// <summary>
/// The two hashes of a stored event, computed in C# over the columns as stored so that any store
/// (SQLite today, PostgreSQL later) holds and checks the same values. Both are SHA-256 over a
/// length-prefixed encoding: a label, then each field as a tag (0 absent, 1 text, 2 integer, 3
/// bytes) and its value (text as a 4-byte big-endian length and UTF-8; integers as 8 bytes
/// big-endian; bytes as a 4-byte length and the bytes), so no two different rows encode alike.
/// </summary>
public static class AuditHashing
{
    /// <summary>Size of every hash, in bytes.</summary>
    public const int HashSize = SHA256.HashSizeInBytes;

    private const byte Absent = 0, Text = 1, Integer = 2, Bytes = 3;

    private static readonly byte[] ContentLabel = "useraudit.event.v1"u8.ToArray();
    private static readonly byte[] LinkLabel = "useraudit.chain.v1"u8.ToArray();
    private static readonly byte[] GenesisLabel = "useraudit.genesis.v1"u8.ToArray();

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? ThreadBuffer;

    /// <summary>
    /// The event's content: <c>specversion</c>, <c>id</c>, <c>source</c>, <c>type</c>, <c>subject</c>,
    /// <c>time</c> (as stored: the instant and the offset the sender gave), <c>datacontenttype</c>,
    /// <c>dataschema</c>, the extensions sorted by name without <c>traceparent</c> and <c>tracestate</c>
    /// (they describe a delivery, and a retry may carry another), and the data (minified JSON text, or
    /// bytes). When and how the copy arrived (received time, Kafka coordinates, the sending key) is
    /// not content: two copies with the same content are the same event.
    /// </summary>
    public static byte[] Content(AuditRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var buffer = Start(ContentLabel);
        Add(buffer, row.SpecVersion);
        Add(buffer, row.Id);
        Add(buffer, row.Source);
        Add(buffer, row.Type);
        Add(buffer, row.Subject);
        Add(buffer, row.Time);
        Add(buffer, row.DataContentType);
        Add(buffer, row.DataSchema);
        // The names sorted ordinally without LINQ: this runs for every stored event.
        var names = ArrayPool<string>.Shared.Rent(row.ExtensionMap.Count);
        var count = 0;
        foreach (var name in row.ExtensionMap.Keys)
        {
            if (!IsTraceContext(name))
            {
                names[count++] = name;
            }
        }

        Array.Sort(names, 0, count, StringComparer.Ordinal);
        Add(buffer, count);
        foreach (var name in names.AsSpan(0, count))
        {
            Add(buffer, name);
            Add(buffer, row.ExtensionMap[name]);
        }

        ArrayPool<string>.Shared.Return(names, clearArray: true);

        Add(buffer, row.DataJson);
        Add(buffer, row.DataBytes);
        return SHA256.HashData(buffer.WrittenSpan);
    }

    /// <summary>
    /// The row's link in the chain: the previous link, the row's position, its content hash, and every
    /// other column as stored (time in milliseconds, the extensions' text with the trace context,
    /// the Kafka coordinates, the received time, the sending key), so no stored byte is uncovered.
    /// </summary>
    public static byte[] Link(ReadOnlySpan<byte> previous, long position, ReadOnlySpan<byte> content, AuditRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var buffer = Start(LinkLabel);
        Add(buffer, previous);
        Add(buffer, position);
        Add(buffer, content);
        Add(buffer, row.TimeUnixMs);
        Add(buffer, row.Extensions);
        Add(buffer, row.KafkaTopic);
        Add(buffer, row.KafkaPartition);
        Add(buffer, row.KafkaOffset);
        Add(buffer, row.ReceivedAt);
        Add(buffer, row.ReceivedUnixMs);
        Add(buffer, row.IngestedBy);
        return SHA256.HashData(buffer.WrittenSpan);
    }

    /// <summary>The link before the first row of a store: binds the whole chain to the store's id.</summary>
    public static byte[] Genesis(string storeId)
    {
        ArgumentNullException.ThrowIfNull(storeId);
        var buffer = Start(GenesisLabel);
        Add(buffer, storeId);
        return SHA256.HashData(buffer.WrittenSpan);
    }

    private static bool IsTraceContext(string name) => name is "traceparent" or "tracestate";

    private static ArrayBufferWriter<byte> Start(byte[] label)
    {
        var buffer = ThreadBuffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        buffer.Write(label);
        return buffer;
    }

    private static void Add(ArrayBufferWriter<byte> buffer, string? value)
    {
        if (value is null)
        {
            buffer.Write([Absent]);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        var span = buffer.GetSpan(5 + length);
        span[0] = Text;
        BinaryPrimitives.WriteInt32BigEndian(span[1..], length);
        Encoding.UTF8.GetBytes(value, span[5..]);
        buffer.Advance(5 + length);
    }

    private static void Add(ArrayBufferWriter<byte> buffer, long? value)
    {
        if (value is null)
        {
            buffer.Write([Absent]);
            return;
        }

        var span = buffer.GetSpan(9);
        span[0] = Integer;
        BinaryPrimitives.WriteInt64BigEndian(span[1..], value.Value);
        buffer.Advance(9);
    }

    private static void Add(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> value)
    {
        var span = buffer.GetSpan(5 + value.Length);
        span[0] = Bytes;
        BinaryPrimitives.WriteInt32BigEndian(span[1..], value.Length);
        value.CopyTo(span[5..]);
        buffer.Advance(5 + value.Length);
    }

    private static void Add(ArrayBufferWriter<byte> buffer, byte[]? value)
    {
        if (value is null)
        {
            buffer.Write([Absent]);
            return;
        }

        Add(buffer, value.AsSpan());
    }
}
