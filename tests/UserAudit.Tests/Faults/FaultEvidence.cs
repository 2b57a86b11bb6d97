using System.Globalization;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using UserAudit.ServiceDefaults.Kafka;
using UserAudit.Tests.EndToEnd;
using UserAudit.Tests.Infrastructure;

namespace UserAudit.Tests.Faults;

/// <summary>
/// What a fault scenario observes to show that its fault bit: the outbox backlog in UserService's
/// database, what AuditService stored against what its consumer group committed, and the
/// duplicates AuditService reports skipping. Read from outside, the way an operator would, on
/// either storage provider.
/// </summary>
internal static partial class FaultEvidence
{
    /// <summary>UserService's outbox rows not yet acknowledged by Kafka.</summary>
    public static Task<long> OutboxPendingAsync(UserAuditApp app, CancellationToken cancellationToken) =>
        ScalarAsync(app, ServiceDatabases.Users, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL", cancellationToken);

    /// <summary>The highest stored offset of each partition of the audit topic (-1 where none is stored).</summary>
    public static async Task<long[]> StoredOffsetsAsync(UserAuditApp app, int partitions, CancellationToken cancellationToken)
    {
        var offsets = Enumerable.Repeat(-1L, partitions).ToArray();
        await using var connection = await ServiceDatabases.OpenAsync(app, ServiceDatabases.Audit, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT kafka_partition, max(kafka_offset) FROM audit_events WHERE kafka_topic = @topic GROUP BY kafka_partition";
        var topic = command.CreateParameter();
        (topic.ParameterName, topic.Value) = ("@topic", AuditTopics.Audit);
        command.Parameters.Add(topic);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            offsets[reader.GetInt32(0)] = reader.GetInt64(1);
        }

        return offsets;
    }

    /// <summary>
    /// The offsets AuditService's consumer group committed on each partition: where a restarted
    /// member resumes. Asked without joining the group.
    /// </summary>
    public static long[] CommittedOffsets(string bootstrapServers, string groupId, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = groupId }).Build();
        var committed = consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(AuditTopics.Audit, p)), TimeSpan.FromSeconds(10));
        return [.. committed.OrderBy(c => c.Partition.Value).Select(c => c.Offset.Value < 0 ? 0 : c.Offset.Value)];
    }

    /// <summary>The end (high watermark) of each partition of the audit topic: where a consumer that has read everything stands.</summary>
    public static long[] EndOffsets(string bootstrapServers, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = "fault-evidence" }).Build();
        return [.. Enumerable.Range(0, partitions).Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(AuditTopics.Audit, p), TimeSpan.FromSeconds(10)).High.Value)];
    }

    /// <summary>Rows in AuditService's event table.</summary>
    public static Task<long> StoredEventsAsync(UserAuditApp app, CancellationToken cancellationToken) =>
        ScalarAsync(app, ServiceDatabases.Audit, "SELECT count(*) FROM audit_events", cancellationToken);

    /// <summary>AuditService's failed attempts to store a batch (each followed by a retry), in the resource log lines after <paramref name="from"/>.</summary>
    public static long StoreRetries(IEnumerable<string> logLines, int from) =>
        logLines.Skip(from).LongCount(line => line.StartsWith("audit-service", StringComparison.Ordinal) && line.Contains("store failed (", StringComparison.Ordinal));

    /// <summary>How many events AuditService stored whose offsets its group has not committed: all of them are read again after a crash.</summary>
    public static long StoredButUncommitted(long[] stored, long[] committed) =>
        stored.Select((offset, p) => Math.Max(0, offset + 1 - committed[p])).Sum();

    /// <summary>Duplicates AuditService says it skipped, in the resource log lines after <paramref name="from"/>.</summary>
    public static long SkippedDuplicates(IEnumerable<string> logLines, int from) =>
        logLines.Skip(from)
            .Where(line => line.StartsWith("audit-service", StringComparison.Ordinal))
            .Select(line => SkippedPattern().Match(line))
            .Where(m => m.Success)
            .Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"Skipped (\d+) duplicate event")]
    private static partial Regex SkippedPattern();

    private static async Task<long> ScalarAsync(UserAuditApp app, string database, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await ServiceDatabases.OpenAsync(app, database, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }
}
