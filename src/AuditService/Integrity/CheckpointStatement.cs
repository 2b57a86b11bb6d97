using System.Globalization;

namespace AuditService.Integrity;

/// <summary>
/// The text a checkpoint signs: one <c>name value</c> pair per line, each line ending in a line feed,
/// in this order:
/// <code>
/// useraudit-checkpoint v1
/// store 0b6c...
/// kind interval
/// position 1234
/// hash 3f9a...(64 hex digits)
/// time 2026-05-01T12:00:00.000Z
/// key 1a2b3c4d5e6f7a8b
/// </code>
/// Plain text, so that a third party can read what it keeps and check it with nothing but OpenSSL.
/// </summary>
public static class CheckpointStatement
{
    /// <summary>First line of every statement: the format and its version.</summary>
    public const string Header = "useraudit-checkpoint v1";

    /// <summary>The statement of a checkpoint.</summary>
    public static string Build(string storeId, string kind, long position, ReadOnlySpan<byte> hash, DateTimeOffset time, string keyId) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Header}\nstore {storeId}\nkind {kind}\nposition {position}\nhash {Convert.ToHexStringLower(hash)}\n"
            + $"time {time.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}\nkey {keyId}\n");
}
