using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AuditService.Integrity;
using Microsoft.Data.Sqlite;
using UserAudit.Tests.AuditApi;
using UserAudit.Tests.EndToEnd;
using UserAudit.Tests.Infrastructure;
using Xunit;

namespace UserAudit.Tests.Integrity;

/// <summary>
/// The attack the chain exists for, end to end: AuditService is stopped, someone with the database
/// file (it was killed: no shutdown hook runs) changes a row, deletes one and inserts one with a SQLite client, AuditService starts again,
/// and <c>GET /v1/audit-events/verify</c> finds each of them. An application of its own: this test
/// breaks its store.
/// </summary>
public sealed class TamperEvidenceTests(IsolatedUserAuditApp isolated) : IClassFixture<IsolatedUserAuditApp>
{
    private const string Type = "org.useraudit.tests.tampered.v1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private UserAuditApp App => isolated.App;

    [Fact]
    public async Task A_row_changed_deleted_and_inserted_while_AuditService_was_stopped_is_each_found_by_verify_after_a_restart()
    {
        var events = new AuditApiEvents(App);
        var subject = AuditApiEvents.NewSubject();
        await events.StoreAsync([.. Enumerable.Range(0, 30).Select(i => events.Json(Type, subject, AuditApiEvents.BaseTime.AddSeconds(i)))], Ct);
        var positions = (await App.WaitForAuditEventsAsync(subject, 30, Ct)).Select(e => e.GetProperty("position").GetInt64()).Order().ToList();
        var (changed, deleted) = (positions[5], positions[20]);
        Assert.True((await VerifyAsync("")).Intact);

        await ResourceProcess.KillAsync(App, "audit-service", Ct);
        var inserted = await TamperAsync(changed, deleted);
        await App.StartResourceAsync("audit-service", Ct);

        var whole = await VerifyAsync("");
        var afterChange = await VerifyAsync($"?from={changed + 1}");
        var afterDeletion = await VerifyAsync($"?from={deleted + 2}");
        Assert.Equal((changed, ChainBreakKind.Changed), (whole.FirstBreak!.Position, whole.FirstBreak.Kind));
        Assert.Equal((deleted, ChainBreakKind.Missing), (afterChange.FirstBreak!.Position, afterChange.FirstBreak.Kind));
        Assert.Equal((inserted, ChainBreakKind.Unlinked), (afterDeletion.FirstBreak!.Position, afterDeletion.FirstBreak.Kind));

        // The changed row's data was stored multi-line by the intruder: the export still has one line per event.
        var lines = (await App.Audit.GetStringAsync(events.Query("/v1/audit-events/export") + "&format=ndjson", Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(29, lines.Length);
        Assert.All(lines, line => JsonDocument.Parse(line).Dispose());

        // AuditService signed its head when it started again; the head row was not touched, so the
        // intruder's row beyond it is in no checkpoint. Anyone with the public key checks the signature.
        var key = (await App.Audit.GetFromJsonAsync<CheckpointKeyResponse>("/v1/audit-events/checkpoints/public-key", Ct))!;
        var checkpoints = (await App.Audit.GetFromJsonAsync<CheckpointPage>("/v1/audit-events/checkpoints", Ct))!;
        var latest = checkpoints.Items[^1];
        Assert.Equal(inserted - 1, latest.Position);
        using var publicKey = ECDsa.Create();
        publicKey.ImportFromPem(key.PublicKeyPem);
        Assert.True(publicKey.VerifyData(Encoding.UTF8.GetBytes(latest.Statement), Convert.FromBase64String(latest.Signature), HashAlgorithmName.SHA256,
            DSASignatureFormat.Rfc3279DerSequence));
    }

    private async Task<ChainVerification> VerifyAsync(string query) =>
        (await App.Audit.GetFromJsonAsync<ChainVerification>("/v1/audit-events/verify" + query, Ct))!;

    /// <summary>Changes, deletes and inserts a row with a SQLite client; returns the inserted row's position.</summary>
    private async Task<long> TamperAsync(long changed, long deleted)
    {
        var file = Path.Combine(App.DataRoot, "audit-service", "audit.db");
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            UPDATE audit_events SET subject = 'someone-else', data_json = '{"{"}
              "n": 2
            {"}"}' WHERE seq = {changed};
            DELETE FROM audit_events WHERE seq = {deleted};
            SELECT max(seq) + 1 FROM audit_events;
            """;
        var inserted = (long)(await command.ExecuteScalarAsync(Ct))!;
        command.CommandText = HashChainTests.InsertForgedRow(inserted);
        await command.ExecuteNonQueryAsync(Ct);
        return inserted;
    }
}
