using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using AuditService.Integrity;
using Microsoft.Extensions.Options;
using Xunit;

namespace UserAudit.Tests.Integrity;

/// <summary>
/// Signed checkpoints: written when the chain moved, plain statements a third party keeps and
/// checks offline with nothing but the public key (OpenSSL here), bound to the store and position.
/// </summary>
public sealed class CheckpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_checkpoint_signs_the_head_once_and_only_after_it_moved()
    {
        await using var store = await TemporaryAuditStore.CreateAsync(Ct);
        var empty = await store.Checkpoints.CheckpointIfMovedAsync(Ct);
        await store.Store.InsertAsync([store.Record(), store.Record()], Ct);

        var first = await store.Checkpoints.CheckpointIfMovedAsync(Ct);
        var unmoved = await store.Checkpoints.CheckpointIfMovedAsync(Ct);
        await store.Store.InsertAsync([store.Record()], Ct);
        var second = await store.Checkpoints.CheckpointIfMovedAsync(Ct);

        Assert.Null(empty);
        Assert.Null(unmoved);
        Assert.Equal((1L, 2L, 2L, 3L), (first!.Number, first.Position, second!.Number, second.Position));
        var verification = await store.Verifier.VerifyAsync(null, null, Ct);
        Assert.Equal((true, 2), (verification.Intact, verification.CheckpointsChecked));
        // A third party holding the first checkpoint checks the store against it.
        Assert.Equal(Convert.ToHexStringLower(first.Hash), (await store.Verifier.VerifyAsync(null, first.Position, Ct)).ToHash);
        var lines = first.Statement.Split('\n');
        Assert.Equal(CheckpointStatement.Header, lines[0]);
        Assert.StartsWith("store ", lines[1], StringComparison.Ordinal);
        Assert.Equal(["kind interval", "position 2", $"hash {Convert.ToHexStringLower(first.Hash)}"], lines[2..5]);
        Assert.Equal($"key {store.Signer.KeyId}", lines[6]);
    }

    [Fact]
    public async Task A_third_party_verifies_a_checkpoint_offline_with_openssl_and_the_public_key_alone()
    {
        await using var store = await TemporaryAuditStore.CreateAsync(Ct);
        await store.Store.InsertAsync([store.Record()], Ct);
        var checkpoint = (await store.Checkpoints.CheckpointIfMovedAsync(Ct))!;
        var folder = Directory.CreateTempSubdirectory("useraudit-checkpoint-");
        try
        {
            // What the third party kept: the statement, the signature, the public key.
            var (statement, signature, key) = (Path.Combine(folder.FullName, "checkpoint.txt"), Path.Combine(folder.FullName, "checkpoint.sig"),
                Path.Combine(folder.FullName, "key.pem"));
            await File.WriteAllTextAsync(statement, checkpoint.Statement, Ct);
            await File.WriteAllBytesAsync(signature, checkpoint.Signature, Ct);
            await File.WriteAllTextAsync(key, store.Signer.PublicKeyPem, Ct);

            var genuine = await OpenSslVerifyAsync(key, signature, statement);
            await File.WriteAllTextAsync(statement, checkpoint.Statement.Replace("position 1", "position 2", StringComparison.Ordinal), Ct);
            var altered = await OpenSslVerifyAsync(key, signature, statement);

            Assert.Equal((0, "Verified OK"), genuine);
            Assert.NotEqual(0, altered.ExitCode);
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        using var publicOnly = ECDsa.Create();
        publicOnly.ImportFromPem(store.Signer.PublicKeyPem);
        Assert.True(publicOnly.VerifyData(Encoding.UTF8.GetBytes(checkpoint.Statement), checkpoint.Signature, HashAlgorithmName.SHA256,
            DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void Replicas_given_the_same_secret_sign_with_the_same_key_and_another_secret_gives_another_key()
    {
        using var one = Signer("the-checkpoint-secret-shared-by-every-replica");
        using var two = Signer("the-checkpoint-secret-shared-by-every-replica");
        using var other = Signer("another-checkpoint-secret-of-enough-length");

        Assert.Equal(one.PublicKeyPem, two.PublicKeyPem);
        Assert.Equal(one.KeyId, two.KeyId);
        Assert.NotEqual(one.KeyId, other.KeyId);
        Assert.True(two.Verify("statement", one.Sign("statement")));
        Assert.False(other.Verify("statement", one.Sign("statement")));
    }

    private static CheckpointSigner Signer(string secret) => new(Options.Create(new IntegrityOptions { CheckpointKey = secret }));

    private static async Task<(int ExitCode, string Output)> OpenSslVerifyAsync(string key, string signature, string statement)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["dgst", "-sha256", "-verify", key, "-signature", signature, statement])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, output.Trim());
    }
}
