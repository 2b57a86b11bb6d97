using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace AuditService.Integrity;

/// <summary>
/// Signs checkpoints with ECDSA P-256 and SHA-256. The private key is derived from the configured
/// secret (HKDF-SHA256, then reduced into the curve's scalar range), so the AppHost can generate it
/// like any other secret parameter and every replica signs with the same key. The public key is
/// published (<see cref="PublicKeyPem"/>): anyone can check a checkpoint offline with OpenSSL, and
/// nobody who only holds it can make one. .NET has no Ed25519; P-256 gives the same property.
/// </summary>
public sealed class CheckpointSigner : IDisposable
{
    // Order of the P-256 group (FIPS 186-4, D.1.2.3).
    private static readonly BigInteger Order = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber,
        System.Globalization.CultureInfo.InvariantCulture);

    private readonly ECDsa _key;

    /// <summary>Derives the key from <see cref="IntegrityOptions.CheckpointKey"/>.</summary>
    public CheckpointSigner(IOptions<IntegrityOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _key = Derive(options.Value.CheckpointKey);
        var spki = _key.ExportSubjectPublicKeyInfo();
        PublicKeyPem = PemEncoding.WriteString("PUBLIC KEY", spki);
        KeyId = Convert.ToHexStringLower(SHA256.HashData(spki))[..16];
    }

    /// <summary>The public key, PEM (SubjectPublicKeyInfo), as <c>openssl dgst -verify</c> reads it.</summary>
    public string PublicKeyPem { get; }

    /// <summary>The first 16 hex digits of the SHA-256 of the public key (DER): names the key in every checkpoint.</summary>
    public string KeyId { get; }

    /// <summary>Signs the UTF-8 bytes of <paramref name="statement"/>; the signature is DER (RFC 3279), as OpenSSL writes it.</summary>
    public byte[] Sign(string statement) =>
        _key.SignData(Encoding.UTF8.GetBytes(statement), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>Checks a signature made by <see cref="Sign"/>.</summary>
    public bool Verify(string statement, byte[] signature) =>
        _key.VerifyData(Encoding.UTF8.GetBytes(statement), signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();

    private static ECDsa Derive(string secret)
    {
        // 48 bytes reduced modulo n-1, plus one: a scalar in [1, n-1] with negligible bias (FIPS 186-4, B.4.1).
        var material = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 48,
            salt: "useraudit.checkpoint.v1"u8.ToArray(), info: "ecdsa-p256"u8.ToArray());
        var scalar = new BigInteger(material, isUnsigned: true, isBigEndian: true) % (Order - 1) + 1;
        var d = new byte[32];
        scalar.TryWriteBytes(d.AsSpan(32 - scalar.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        return ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
    }
}
