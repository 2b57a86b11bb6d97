using System.Buffers.Binary;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using UserAudit.ServiceDefaults.Storage;

namespace UserService.Users;

/// <summary>
/// The remembered <c>Idempotency-Key</c>s of user creation (<c>idempotency_keys</c>): each lives for
/// <see cref="IdempotencyOptions.Lifetime"/>, goes with its user when the user is deleted, and holds
/// a keyed hash of its request, so a replay is recognized by what was asked, never by testing a
/// password against the user's live one (which answered differently once the password changed, and
/// cost a PBKDF2 run per replay).
/// </summary>
public sealed class IdempotencyKeys(ServiceDatabase database, IOptions<IdempotencyOptions> options, TimeProvider time)
{
    private readonly byte[] _secret = Encoding.UTF8.GetBytes(options.Value.RequestHashKey);
    private readonly TimeSpan _lifetime = options.Value.Lifetime;

    /// <summary>
    /// The stored form of a caller's key: the signed-in caller's id (or <c>anonymous</c>) and the key,
    /// so one caller can neither replay nor block another's key.
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
        return await FindAsync(connection, null, key, cancellationToken);
    }

    /// <summary>The live entry of <paramref name="key"/> inside a transaction; an expired one is removed so the key can be used again.</summary>
    internal async Task<IdempotentReplay?> FindAsync(DbConnection connection, DbTransaction? transaction, string key, CancellationToken cancellationToken)
    {
        if (transaction is not null)
        {
            await using var expire = connection.CreateCommand();
            expire.Transaction = transaction;
            expire.CommandText = "DELETE FROM idempotency_keys WHERE key = @key AND created_at < @live";
            expire.AddParameter("@key", key);
            expire.AddParameter("@live", LiveSince());
            await expire.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT response, request_hash FROM idempotency_keys WHERE key = @key AND created_at >= @live";
        command.AddParameter("@key", key);
        command.AddParameter("@live", LiveSince());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new IdempotentReplay(reader.GetString(0), (byte[])reader.GetValue(1)) : null;
    }

    /// <summary>Remembers the answer to a keyed create, in the create's transaction.</summary>
    internal async Task RememberAsync(DbConnection connection, DbTransaction transaction, IdempotentRequest request, string userId, string response,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO idempotency_keys (key, user_id, response, created_at, request_hash) VALUES (@key, @user, @response, @now, @hash)";
        command.AddParameter("@key", request.Key);
        command.AddParameter("@user", userId);
        command.AddParameter("@response", response);
        command.AddParameter("@now", time.GetUtcNow().ToUnixTimeMilliseconds());
        command.AddParameter("@hash", request.RequestHash);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Forgets the keys of a user being deleted, in the deletion's transaction: their answers hold the user's name.</summary>
    internal static async Task ForgetUserAsync(DbConnection connection, DbTransaction transaction, string userId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM idempotency_keys WHERE user_id = @user";
        command.AddParameter("@user", userId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes the expired keys; returns how many.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM idempotency_keys WHERE created_at < @live";
        command.AddParameter("@live", LiveSince());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private long LiveSince() => (time.GetUtcNow() - _lifetime).ToUnixTimeMilliseconds();
}
