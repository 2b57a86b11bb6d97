using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using UserAudit.LoadTest.Load;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>Names the change a Kafka message announces (user, version, event type), one reader per message format.</summary>
public static class ChangeMessageDecoders
{
    /// <summary>UserService's CloudEvents in binary mode: the type in <c>ce_type</c>, the user in <c>ce_subject</c> (else the key), the version in the data.</summary>
    public static ChangeId? CloudEvent(Message<byte[]?, byte[]?> message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var type = Header(message, "ce_type");
        var subject = Header(message, "ce_subject") ?? (message.Key is null ? null : Encoding.UTF8.GetString(message.Key));
        return type is null || subject is null || Version(message.Value) is not { } version ? null : new ChangeId(subject, version, type);
    }

    /// <summary>
    /// UserService's session events (signed in, sign-in failed, locked out, tokens revoked): the
    /// runs' own sign-ins put them on the topic; they announce no change of a user.
    /// </summary>
    public static bool IsSessionEvent(Message<byte[]?, byte[]?> message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Header(message, "ce_type") is { } type && type.StartsWith("org.useraudit.user.", StringComparison.Ordinal)
            && (type.EndsWith(".signed_in.v1", StringComparison.Ordinal) || type.EndsWith(".sign_in_failed.v1", StringComparison.Ordinal)
                || type.EndsWith(".locked_out.v1", StringComparison.Ordinal) || type.EndsWith(".tokens_revoked.v1", StringComparison.Ordinal));
    }

    /// <summary>The Wolverine peer's JSON messages: <c>userId</c>, <c>version</c> and <c>type</c> (UserService's event type names).</summary>
    public static ChangeId? WolverinePeerJson(Message<byte[]?, byte[]?> message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Value is null)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(message.Value);
            var root = json.RootElement;
            return root.ValueKind is JsonValueKind.Object
                && root.TryGetProperty("userId", out var user) && user.ValueKind is JsonValueKind.String
                && root.TryGetProperty("type", out var type) && type.ValueKind is JsonValueKind.String
                && root.TryGetProperty("version", out var version) && version.TryGetInt64(out var v)
                ? new ChangeId(user.GetString()!, v, type.GetString()!)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static long? Version(byte[]? data)
    {
        if (data is null)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(data);
            return json.RootElement.ValueKind is JsonValueKind.Object
                && json.RootElement.TryGetProperty("version", out var version) && version.TryGetInt64(out var v) ? v : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Header(Message<byte[]?, byte[]?> message, string name) =>
        message.Headers is not null && message.Headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
}
