using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace AuditService.Security;

/// <summary>
/// Finds the configured key a caller presented, in constant time: every key is hashed with SHA-256
/// first (so neither the content nor the length of a secret shows in the timing) and every
/// configured key is compared, without stopping at a match (so neither does which key matched).
/// </summary>
public sealed class ApiKeyVerifier
{
    private readonly (byte[] Hash, AuditCredential Credential)[] _keys;

    /// <summary>Hashes the configured read and ingest keys.</summary>
    public ApiKeyVerifier(IOptions<AuthOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var auth = options.Value;
        _keys =
        [
            .. auth.ReadKeys.Select(k => (Hash(k.Value), new AuditCredential(k.Key, AuditRole.Read, SourceGrants.None))),
            .. auth.IngestKeys.Select(k => (Hash(k.Value.Key), new AuditCredential(k.Key, AuditRole.Ingest, new SourceGrants(k.Value.Sources)))),
        ];
    }

    /// <summary>The credential whose key is <paramref name="presented"/>, or null.</summary>
    public AuditCredential? Find(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        AuditCredential? found = null;
        foreach (var (expected, credential) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                found = credential;
            }
        }

        return found;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
