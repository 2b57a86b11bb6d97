using AuditService.Integrity;
using AuditService.Store;
using Microsoft.Data.Sqlite;
using UserAudit.ServiceDefaults.Storage;
using Xunit;

namespace UserAudit.Tests.Integrity;

/// <summary>
/// The store's hash chain on a real SQLite file, tampered with the way someone holding the file
/// would: each change, deletion and insertion is found, and rewriting links is caught by a signed
/// checkpoint.
/// </summary>
public sealed class HashChainTests
{
    // Positions of rows stored before the chain existed, with the gaps retention used to leave.
    private static readonly int[] LegacyPositions = [3, 8, 9, 15];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rows_written_in_several_batches_form_one_gapless_chain_that_verifies()
    {
        await using var store = await TemporaryAuditStore.CreateAsync(Ct);
        for (var batch = 0; batch < 3; batch++)
        {
            await store.Store.InsertAsync([.. Enumerable.Range(0, 700).Select(_ => store.Record())], Ct);
        }

        var verification = await store.Verifier.VerifyAsync(null, null, Ct);

        Assert.True(verification.Intact, verification.FirstBreak?.Detail);
        Assert.Equal((1L, 2100L, 2100L, 2100L), (verification.From, verification.To, verification.RowsChecked, verification.HeadPosition));
        var newest = (await store.Store.QueryAsync(new AuditQuery(Limit: 1), Ct)).Items;
        Assert.Equal(2100, Assert.Single(newest).Sequence);
    }

    [Fact]
    public async Task Empty_text_empty_bytes_and_non_ascii_text_are_stored_as_given_and_verify()
    {
        // The SQLite INSERT binds by position on the connection's handle: an empty value must not
        // become NULL, and text must arrive as the UTF-8 it is.
        await using var store = await TemporaryAuditStore.CreateAsync(Ct);
        var time = store.Time.GetUtcNow();
        AuditRecord[] records =
        [
            new("urn:useraudit-tests:store", "empty-bytes", "org.useraudit.tests.stored.v1", "1.0", "Zoë ✓ 名前 🎉", time, "application/octet-stream", null,
                new Dictionary<string, string> { ["tenant"] = "", ["note"] = "naïve" }, null, [], new KafkaCoordinates("audit", 0, 0), time, ""),
            new("urn:useraudit-tests:store", "raw-bytes", "org.useraudit.tests.stored.v1", "1.0", null, null, null, null,
                new Dictionary<string, string>(), null, [0, 0xFF, 0xFE, 0x80], null, time),
        ];

        var result = await store.Store.InsertAsync(records, Ct);

        Assert.Equal(2, result.Stored);
        foreach (var record in records)
        {
            var stored = (await store.Store.FindAsync(record.Source, record.Id, Ct))!.Record;
            Assert.Equal(record.Subject, stored.Subject);
            Assert.Equal(record.Extensions, stored.Extensions);
            Assert.NotNull(stored.DataBytes);
            Assert.Equal(record.DataBytes, stored.DataBytes);
            Assert.Equal(record.IngestedBy, stored.IngestedBy);
            Assert.Equal(record.Kafka, stored.Kafka);
        }

        var verification = await store.Verifier.VerifyAsync(null, null, Ct);
        Assert.True(verification.Intact, verification.FirstBreak?.Detail);
    }

    [Theory]
    [InlineData("UPDATE audit_events SET subject = 'someone-else' WHERE seq = 7", 7, ChainBreakKind.Changed)]
    [InlineData("UPDATE audit_events SET data_json = '{\"n\":2}' WHERE seq = 7", 7, ChainBreakKind.Changed)]
    [InlineData("UPDATE audit_events SET received_unix_ms = received_unix_ms - 86400000 WHERE seq = 7", 7, ChainBreakKind.Changed)]
    [InlineData("UPDATE audit_events SET extensions = '{\"tenant\":\"red\"}' WHERE seq = 7", 7, ChainBreakKind.Changed)]
    [InlineData("UPDATE audit_events SET authtype = 'user', authid = 'someone-else' WHERE seq = 7", 7, ChainBreakKind.Changed)]
    [InlineData("DELETE FROM audit_events WHERE seq = 7", 7, ChainBreakKind.Missing)]
    [InlineData("DELETE FROM audit_events WHERE seq >= 18", 18, ChainBreakKind.Missing)]
    [InlineData("UPDATE audit_events SET seq = seq - 1 WHERE seq > 7", 7, ChainBreakKind.Changed)]
    [InlineData("UPDATE audit_chain SET hash = zeroblob(32)", 20, ChainBreakKind.HeadMismatch)]
    public async Task A_row_changed_or_deleted_in_the_database_file_is_found_at_its_position(string tampering, long position, ChainBreakKind kind)
    {
        await using var store = await TemporaryAuditStore.CreateAsync(Ct);
        await store.Store.InsertAsync([.. Enumerable.Range(0, 20).Select(_ => store.Record())], Ct);
        if (tampering.StartsWith("UPDATE audit_events SET seq", StringComparison.Ordinal))
        {
            await store.TamperAsync("DELETE FROM audit_events WHERE seq = 7");
        }

        await store.TamperAsync(tampering);
        var verification = await store.Verifier.VerifyAsync(null, null, Ct);

        Assert.False(verification.Intact);
        Assert.Equal((position, kind), (verification.FirstBreak!.Position, verification.FirstBreak.Kind));
    }

    [Fact]
    public async Task A_row_inserted_by_hand_is_found_and_ingestion_goes_on_past_it()
    {
        await using var store = await TemporaryAuditStore.CreateAsync(Ct);
        await store.Store.InsertAsync([.. Enumerable.Range(0, 5).Select(_ => store.Record())], Ct);
        await store.TamperAsync(InsertForgedRow(6));

        var unlinked = await store.Verifier.VerifyAsync(null, null, Ct);
        await store.Store.InsertAsync([store.Record()], Ct);
        var afterMore = await store.Verifier.VerifyAsync(null, null, Ct);

        Assert.Equal((6L, ChainBreakKind.Unlinked), (unlinked.FirstBreak!.Position, unlinked.FirstBreak.Kind));
        Assert.Equal((6L, ChainBreakKind.Unlinked), (afterMore.FirstBreak!.Position, afterMore.FirstBreak.Kind));
        Assert.Equal(7, (await store.Store.QueryAsync(new AuditQuery(Limit: 1), Ct)).Items[0].Sequence);
    }

    [Fact]
    public async Task A_row_slipped_between_two_linked_rows_with_made_up_hashes_is_reported_as_inserted()
    {
        await using var store = await TemporaryAuditStore.CreateAsync(Ct);
        await store.Store.InsertAsync([.. Enumerable.Range(0, 5).Select(_ => store.Record())], Ct);
        await store.TamperAsync(InsertForgedRow(6, hashes: "randomblob(32), randomblob(32)"));
        await store.Store.InsertAsync([store.Record()], Ct);

        var verification = await store.Verifier.VerifyAsync(null, null, Ct);

        Assert.Equal((6L, ChainBreakKind.Inserted), (verification.FirstBreak!.Position, verification.FirstBreak.Kind));
    }

    [Fact]
    public async Task Rewriting_every_link_after_a_change_is_caught_by_the_signed_checkpoint_that_covers_it()
    {
        await using var store = await TemporaryAuditStore.CreateAsync(Ct);
        await store.Store.InsertAsync([.. Enumerable.Range(0, 10).Select(_ => store.Record())], Ct);
        var checkpoint = await store.Checkpoints.CheckpointIfMovedAsync(Ct);
        await store.Store.InsertAsync([.. Enumerable.Range(0, 5).Select(_ => store.Record())], Ct);

        // The intruder knows the algorithm (it is public) but not the signing key.
        await store.TamperAsync("UPDATE audit_events SET subject = 'someone-else' WHERE seq = 3");
        await RelinkFromAsync(store, 3);
        var verification = await store.Verifier.VerifyAsync(null, null, Ct);

        Assert.Equal(10, checkpoint!.Position);
        Assert.Equal((10L, ChainBreakKind.CheckpointMismatch), (verification.FirstBreak!.Position, verification.FirstBreak.Kind));
    }

    [Fact]
    public async Task A_checkpoint_whose_signature_or_signed_columns_were_changed_is_reported()
    {
        await using var store = await TemporaryAuditStore.CreateAsync(Ct);
        await store.Store.InsertAsync([.. Enumerable.Range(0, 4).Select(_ => store.Record())], Ct);
        await store.Checkpoints.CheckpointIfMovedAsync(Ct);
        await store.TamperAsync("UPDATE audit_checkpoints SET position = 3");

        var verification = await store.Verifier.VerifyAsync(null, null, Ct);

        Assert.Equal((3L, ChainBreakKind.BadSignature), (verification.FirstBreak!.Position, verification.FirstBreak.Kind));
    }

    [Fact]
    public async Task A_range_is_verified_from_the_stored_link_before_it()
    {
        await using var store = await TemporaryAuditStore.CreateAsync(Ct);
        await store.Store.InsertAsync([.. Enumerable.Range(0, 30).Select(_ => store.Record())], Ct);
        await store.TamperAsync("UPDATE audit_events SET type = 'forged' WHERE seq = 5");

        var before = await store.Verifier.VerifyAsync(1, 4, Ct);
        var after = await store.Verifier.VerifyAsync(6, 30, Ct);
        var across = await store.Verifier.VerifyAsync(2, 10, Ct);

        Assert.True(before.Intact && after.Intact);
        Assert.Equal((4L, 25L), (before.RowsChecked, after.RowsChecked));
        Assert.Equal(5, across.FirstBreak!.Position);
    }

    // A monitor asking past the head (or a range that ends before it starts) must not raise a
    // false alarm: nothing is in such a range, so nothing in it is broken.
    [Theory]
    [InlineData(31L, null)]
    [InlineData(32L, null)]
    [InlineData(50L, 60L)]
    public async Task A_range_past_the_last_row_is_empty_and_intact(long from, long? to)
    {
        await using var store = await TemporaryAuditStore.CreateAsync(Ct);
        await store.Store.InsertAsync([.. Enumerable.Range(0, 30).Select(_ => store.Record())], Ct);

        var verification = await store.Verifier.VerifyAsync(from, to, Ct);

        Assert.True(verification.Intact, verification.FirstBreak?.Detail);
        Assert.Equal((0L, 30L), (verification.RowsChecked, verification.HeadPosition));
    }

    [Fact]
    public async Task Rows_stored_before_the_chain_existed_are_renumbered_without_gaps_and_linked_once()
    {
        var folder = Path.Combine(Path.GetTempPath(), "useraudit-tests", $"legacy-{Guid.NewGuid():N}");
        var database = new SqliteDatabase(new StorageOptions { DataDirectory = folder }, "audit.db");
        try
        {
            // The store as it was before the chain: the first two migrations, rows with gaps left by retention.
            await database.MigrateAsync([.. AuditEventStore.Migrations.Take(2)], Ct);
            await using (var connection = await database.OpenAsync(Ct))
            {
                await using var command = connection.CreateCommand();
                command.CommandText = string.Join('\n', LegacyPositions.Select(seq =>
                    $"INSERT INTO audit_events (seq, source, id, type, specversion, extensions, received_at, received_unix_ms) "
                    + $"VALUES ({seq}, 'urn:legacy', 'e{seq}', 't', '1.0', '{{}}', '2025-01-01T00:00:00.0000000+00:00', 1735689600000);"));
                await command.ExecuteNonQueryAsync(Ct);
            }

            await database.MigrateAsync(AuditEventStore.Migrations, Ct);
            var store = new AuditEventStore(database);
            await store.InsertAsync([new AuditRecord("urn:new", "n1", "t", "1.0", null, null, null, null, new Dictionary<string, string>(), null, null, null, DateTimeOffset.UtcNow)], Ct);
            using var signer = new CheckpointSigner(Microsoft.Extensions.Options.Options.Create(new IntegrityOptions { CheckpointKey = new string('k', 40) }));
            var verification = await new ChainVerifier(database, signer).VerifyAsync(null, null, Ct);

            Assert.True(verification.Intact, verification.FirstBreak?.Detail);
            Assert.Equal(5, verification.RowsChecked);
            var ids = (await store.QueryAsync(new AuditQuery(Limit: 10), Ct)).Items.Select(e => (e.Sequence, e.Record.Id));
            Assert.Equal([(5L, "n1"), (4L, "e15"), (3L, "e9"), (2L, "e8"), (1L, "e3")], ids);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>An event row as an intruder would add it, at <paramref name="seq"/>, with the given hash columns.</summary>
    internal static string InsertForgedRow(long seq, string hashes = "NULL, NULL") =>
        $$"""
        INSERT INTO audit_events (seq, source, id, type, specversion, subject, extensions, data_json, received_at, received_unix_ms, content_hash, chain_hash)
        VALUES ({{seq}}, 'urn:useraudit:user-service', 'forged-{{seq}}', 'org.useraudit.user.deleted.v1', '1.0', 'victim', '{}', '{"id":"victim"}',
            '2026-06-01T12:00:00.0000000+00:00', 1780315200000, {{hashes}});
        """;

    /// <summary>Recomputes every hash from <paramref name="from"/> on and the head, as an intruder who knows the algorithm can.</summary>
    private static async Task RelinkFromAsync(TemporaryAuditStore store, long from)
    {
        await using var connection = (SqliteConnection)await store.Database.OpenConnectionAsync(Ct);
        var rows = new List<(long Seq, AuditRow Row)>();
        byte[] previous;
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = $"SELECT chain_hash FROM audit_events WHERE seq = {from - 1}";
            previous = (byte[])(await read.ExecuteScalarAsync(Ct))!;
            read.CommandText = $"SELECT seq, {AuditRow.Columns} FROM audit_events WHERE seq >= {from} ORDER BY seq";
            await using var reader = await read.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                rows.Add((reader.GetInt64(0), AuditRow.Read(reader, 1)));
            }
        }

        foreach (var (seq, row) in rows)
        {
            var content = AuditHashing.Content(row);
            previous = AuditHashing.Link(previous, seq, content, row);
            await using var write = connection.CreateCommand();
            write.CommandText = "UPDATE audit_events SET content_hash = $c, chain_hash = $l WHERE seq = $s";
            write.Parameters.AddWithValue("$c", content);
            write.Parameters.AddWithValue("$l", previous);
            write.Parameters.AddWithValue("$s", seq);
            await write.ExecuteNonQueryAsync(Ct);
        }

        await using var head = connection.CreateCommand();
        head.CommandText = "UPDATE audit_chain SET hash = $h";
        head.Parameters.AddWithValue("$h", previous);
        await head.ExecuteNonQueryAsync(Ct);
    }
}
