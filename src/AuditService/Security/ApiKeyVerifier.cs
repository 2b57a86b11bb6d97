using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace AuditService.Security;

/// <summary>
/// Checks a presented key against the configured one in constant time: both are hashed with
/// SHA-256 first, so neither the content nor the length of the secret shows in the timing.
/// </summary>
public sealed class ApiKeyVerifier(IOptions<AuthOptions> options)
{
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.ApiKey));

    /// <summary>True when <paramref name="presented"/> is the configured key.</summary>
    public bool Verify(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        return CryptographicOperations.FixedTimeEquals(hash, _expected);
    }
}
