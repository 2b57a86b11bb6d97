using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using UserAudit.ServiceDefaults.Storage;
using UserService.Storage;

namespace UserService.Users;

/// <summary>
/// The remembered <c>Idempotency-Key</c>s of user creation (<c>idempotency_keys</c>): each lives for
/// <see cref="IdempotencyOptions.Lifetime"/>, goes with its user when the user is deleted, and holds
/// a keyed hash of its request, so a replay is recognized by what was asked, never by testing a
/// password against the user's live one (which answered differently once the password changed, and
/// cost a PBKDF2 run per replay).
/// </summary>
public sealed class IdempotencyKeys(ServiceDatabase database, GroupCommitWriter writer, IOptions<IdempotencyOptions> options, TimeProvider time)
{
    private readonly byte[] _secret = Encoding.UTF8.GetBytes(options.Value.RequestHashKey);
    private readonly TimeSpan _lifetime = options.Value.Lifetime;

    /// <summary>
    /// The stored form of a caller's key: the signed-in caller's id (or <c>anonymous</c>) and the key,
    /// so one signed-in caller can neither replay nor block another's key. Anonymous callers share
    /// one scope (nothing identifies them): a replay still needs the same name and password, but a
    /// key another anonymous caller used gets 409, so anonymous keys must be random (a UUID).
    /// </summary>
    public static string Scope(string? callerId, string key) => $"{callerId ?? "anonymous"}/{key}";

    /// <summary>The keyed hash of a create: HMAC-SHA256 over the key, the name and the password, each length-prefixed.</summary>
    public byte[] RequestHash(string key, string name, string password)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(password);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _secret);
        Span<byte> length = stackalloc byte[4];
        foreach (var part in (string[])["useraudit.idempotency.v1", key, name, password])
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            hmac.AppendData(length);
            hmac.AppendData(bytes);
        }

        return hmac.GetHashAndReset();
    }

    /// <summary>True when a replay asks what the first request asked.</summary>
    public static bool SameRequest(IdempotentReplay previous, IdempotentRequest replay)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(replay);
        return CryptographicOperations.FixedTimeEquals(previous.RequestHash, replay.RequestHash);
    }

    /// <summary>The live entry of <paramref name="key"/>, read before doing the work (a replay then costs no password hash).</summary>
    public async Task<IdempotentReplay?> FindAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT response, request_hash FROM idempotency_keys WHERE key = @key AND created_at >= @live";
        command.AddParameter("@key", key);
        command.AddParameter("@live", LiveSince());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new IdempotentReplay(reader.GetString(0), (byte[])reader.GetValue(1)) : null;
    }

    /// <summary>The live entry of <paramref name="key"/> inside a write; an expired one is removed so the key can be used again.</summary>
    internal IdempotentReplay? Find(WriteScope scope, string key)
    {
        var expired = scope.Command("DELETE FROM idempotency_keys WHERE key = @key AND created_at < @live");
        expired.AddParameter("@key", key);
        expired.AddParameter("@live", LiveSince());
        expired.Defer();
        var find = scope.Command("SELECT response, request_hash FROM idempotency_keys WHERE key = @key");
        find.AddParameter("@key", key);
        using var reader = find.ExecuteReader();
        return reader.Read() ? new IdempotentReplay(reader.GetString(0), (byte[])reader.GetValue(1)) : null;
    }

    /// <summary>Remembers the answer to a keyed create, in the create's write.</summary>
    internal void Remember(WriteScope scope, IdempotentRequest request, string userId, string response)
    {
        var command = scope.Command("INSERT INTO idempotency_keys (key, user_id, response, created_at, request_hash) VALUES (@key, @user, @response, @now, @hash)");
        command.AddParameter("@key", request.Key);
        command.AddParameter("@user", userId);
        command.AddParameter("@response", response);
        command.AddParameter("@now", time.GetUtcNow().ToUnixTimeMilliseconds());
        command.AddParameter("@hash", request.RequestHash);
        command.Defer();
    }

    /// <summary>Forgets the keys of a user being deleted, in the deletion's write: their answers hold the user's name.</summary>
    internal static void ForgetUser(WriteScope scope, string userId)
    {
        var command = scope.Command("DELETE FROM idempotency_keys WHERE user_id = @user");
        command.AddParameter("@user", userId);
        command.Defer();
    }

    /// <summary>
    /// Deletes the expired keys, a bounded number per write so that a day's worth never holds up
    /// the writes queued behind it; returns how many.
    /// </summary>
    public Task<int> PruneAsync(CancellationToken cancellationToken) => writer.DeleteInChunksAsync(
        "DELETE FROM idempotency_keys WHERE key IN (SELECT key FROM idempotency_keys WHERE created_at < @live LIMIT @limit)",
        "@live", LiveSince(), perWrite: 2_000, cancellationToken);

    private long LiveSince() => (time.GetUtcNow() - _lifetime).ToUnixTimeMilliseconds();
}
