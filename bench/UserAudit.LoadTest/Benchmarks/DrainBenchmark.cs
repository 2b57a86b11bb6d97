using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AuditService;
using AuditService.Store;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UserAudit.CloudEvents;
using UserAudit.CloudEvents.Kafka;
using UserAudit.KafkaBroker.MockCluster;
using UserAudit.ServiceDefaults.Kafka;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>Drain figures.</summary>
/// <param name="Events">Events pre-filled on the topic.</param>
/// <param name="Partitions">Partitions of the topic.</param>
/// <param name="ProducedPerSecond">Pre-fill rate (for orientation).</param>
/// <param name="RawConsumedPerSecond">Confluent.Kafka consumer alone, first to last message.</param>
/// <param name="StoredPerSecond">AuditService, first to last stored event.</param>
/// <param name="StoredPerSecondFromStart">AuditService, from host start (group join included) to the last stored event.</param>
/// <param name="Ratio">Stored rate over raw consume rate.</param>
/// <param name="Stored">Rows in the audit store at the end (must equal <paramref name="Events"/>).</param>
/// <param name="RawInsertedPerSecond">The same rows inserted into AuditService's schema alone (<see cref="RawInsertBaseline"/>).</param>
/// <param name="InsertRatio">Stored rate over raw insert rate (issue 14's target: at least 0.8).</param>
public sealed record DrainResult(int Events, int Partitions, double ProducedPerSecond, double RawConsumedPerSecond,
    double StoredPerSecond, double StoredPerSecondFromStart, double Ratio, long Stored, double RawInsertedPerSecond, double InsertRatio);

/// <summary>
/// AuditService's drain rate: a topic pre-filled with UserService-shaped events (binary mode, JSON
/// data, trace context) on the embedded broker, read once by a bare Confluent.Kafka consumer and once
/// by AuditService's real ingestion (hosted in this process with its own wiring and a fresh
/// database), in the same run; and the same rows inserted straight into AuditService's schema, the
/// storage limit the ingestion is held to.
/// </summary>
public static class DrainBenchmark
{
    private const string Topic = AuditTopics.Audit;
    private static readonly string[] ChangedFields = ["name"];

    /// <summary>Runs the four phases.</summary>
    public static async Task<DrainResult> RunAsync(int events, int partitions, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        using var cluster = MockKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions);
        cluster.CreateTopic(Topic + ".deadletter", 1);

        var (produced, inserted) = await PrefillAsync(cluster.Bootstraps, events, partitions, log, cancellationToken);
        // The events and rows of the pre-fill are garbage now: collected here, not during the drain
        // of AuditService, which runs in this process.
        GC.Collect();
        var raw = ConsumeRaw(cluster.Bootstraps, events, log, cancellationToken);
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"raw Confluent.Kafka consume: {raw:N0} messages/s"));
        var (stored, fromStart, rows) = await DrainAsync(cluster.Bootstraps, events, cancellationToken);
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"AuditService: {stored:N0} events/s stored ({fromStart:N0}/s counting start-up and group join), {rows:N0} rows"));
        return new DrainResult(events, partitions, Math.Round(produced), Math.Round(raw), Math.Round(stored), Math.Round(fromStart), Math.Round(stored / raw, 3), rows,
            Math.Round(inserted), Math.Round(stored / inserted, 3));
    }

    private static async Task<(double Produced, double Inserted)> PrefillAsync(string bootstrapServers, int events, int partitions, TextWriter log, CancellationToken cancellationToken)
    {
        var cloudEvents = CreateEvents(events);
        var produced = Produce(bootstrapServers, cloudEvents);
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"pre-filled {events:N0} events on {partitions} partitions at {produced:N0}/s"));
        var inserted = await RawInsertBaseline.MeasureAsync(AsStored(cloudEvents, partitions), cancellationToken);
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"raw insert of the same rows into AuditService's schema: {inserted:N0} rows/s ({RawInsertBaseline.BatchSize} a transaction)"));
        return (produced, inserted);
    }

    // UserService-shaped events: time-ordered ids, JSON data, trace context, 1,000 users.
    private static List<CloudEvent> CreateEvents(int events)
    {
        var users = Enumerable.Range(0, 1000).Select(_ => Guid.CreateVersion7().ToString()).ToArray();
        var cloudEvents = new List<CloudEvent>(events);
        for (var i = 0; i < events; i++)
        {
            var user = users[i % users.Length];
            var cloudEvent = new CloudEvent
            {
                Id = Guid.CreateVersion7().ToString(),
                Source = new Uri("urn:useraudit:user-service"),
                Type = "org.useraudit.user.updated.v1",
                Subject = user,
                Time = DateTimeOffset.UtcNow,
                DataContentType = "application/json",
                DataSchema = new Uri("http://localhost:3000/v1/schemas/user.updated.v1.json"),
                Data = JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["id"] = user, ["changedFields"] = ChangedFields }),
            };
            cloudEvent.SetTraceContext(new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded));
            cloudEvents.Add(cloudEvent);
        }

        return cloudEvents;
    }

    // The rows AuditService makes of the events (its own mapping), with Kafka coordinates of the same shape.
    private static List<AuditRecord> AsStored(List<CloudEvent> cloudEvents, int partitions)
    {
        var formatter = new JsonEventFormatter();
        var receivedAt = DateTimeOffset.UtcNow;
        return [.. cloudEvents.Select((e, i) => AuditRecord.From(e, formatter, new KafkaCoordinates(Topic, i % partitions, i / partitions), receivedAt))];
    }

    private static double Produce(string bootstrapServers, List<CloudEvent> cloudEvents)
    {
        using var producer = new ProducerBuilder<string?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            EnableIdempotence = true,
            LingerMs = 5,
            BatchNumMessages = 10_000,
            QueueBufferingMaxMessages = 1_000_000,
        }).Build();
        var formatter = new JsonEventFormatter();
        var started = Stopwatch.GetTimestamp();
        foreach (var cloudEvent in cloudEvents)
        {
            producer.Produce(Topic, cloudEvent.ToKafkaMessage(ContentMode.Binary, formatter, (string?)cloudEvent.Subject));
        }

        producer.Flush(TimeSpan.FromMinutes(2));
        return cloudEvents.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>How long a drain may see no new event before it gives up.</summary>
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(30);

    private static double ConsumeRaw(string bootstrapServers, int events, TextWriter log, CancellationToken cancellationToken)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "raw-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(Topic);
        long first = 0;
        var lastReport = Stopwatch.GetTimestamp();
        var lastProgress = Stopwatch.GetTimestamp();
        for (var consumed = 0; consumed < events;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Stopwatch.GetElapsedTime(lastReport) > TimeSpan.FromSeconds(1))
            {
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"raw consume: {consumed:N0} of {events:N0}"));
                lastReport = Stopwatch.GetTimestamp();
            }

            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false, Message: not null })
            {
                lastProgress = Stopwatch.GetTimestamp();
                if (consumed++ == 0)
                {
                    first = Stopwatch.GetTimestamp();
                }
            }
            else if (Stopwatch.GetElapsedTime(lastProgress) > StallTimeout)
            {
                // The embedded broker keeps about 5 MB per partition and drops older messages: the
                // rest will never come.
                throw new TimeoutException(
                    string.Create(CultureInfo.InvariantCulture, $"the raw consumer read {consumed:N0} of {events:N0} events and nothing more for {StallTimeout.TotalSeconds:N0} s; ")
                    + "the embedded broker may have dropped messages (it keeps about 5 MB per partition): use more --partitions.");
            }
        }

        var rate = (events - 1) / Stopwatch.GetElapsedTime(first).TotalSeconds;
        consumer.Close();
        return rate;
    }

    private static async Task<(double Stored, double FromStart, long Rows)> DrainAsync(string bootstrapServers, int events, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("useraudit-drain-");
        try
        {
            // The content root apart from the database's folder: the host watches its content root
            // (with subdirectories) for configuration changes, and would wake for every SQLite write.
            var contentRoot = directory.CreateSubdirectory("content").FullName;
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = contentRoot });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:kafka"] = bootstrapServers,
                ["Ingestion:Topic"] = Topic,
                ["Ingestion:DeadLetterTopic"] = Topic + ".deadletter",
                ["Ingestion:GroupId"] = "audit-drain",
                ["Storage:DataDirectory"] = directory.FullName,
                // AuditService serves only with a read key (Auth:ApiKey is gone).
                ["Auth:ReadKeys:drain"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)),
                // Required since AuditService signs checkpoints of its hash chain.
                ["Integrity:CheckpointKey"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
                ["urls"] = "http://127.0.0.1:0",
            });
            builder.Logging.ClearProviders();
            builder.AddServiceDefaults();
            builder.AddAuditServiceComponents();
            await using var app = builder.Build();

            var database = Path.Combine(directory.FullName, "audit.db");
            var started = Stopwatch.GetTimestamp();
            await app.StartAsync(cancellationToken);
            long first = 0, firstCount = 0, count = 0, lastCount = 0;
            var lastProgress = Stopwatch.GetTimestamp();
            while (count < events)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
                count = await CountAsync(database, cancellationToken);
                if (first == 0 && count > 0)
                {
                    (first, firstCount) = (Stopwatch.GetTimestamp(), count);
                }

                if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromMinutes(10))
                {
                    throw new TimeoutException($"AuditService stored {count} of {events} events in 10 minutes.");
                }

                if (count == lastCount && Stopwatch.GetElapsedTime(lastProgress) > StallTimeout)
                {
                    throw new TimeoutException($"AuditService stored {count} of {events} events and nothing more for {StallTimeout.TotalSeconds:N0} s.");
                }

                if (count != lastCount)
                {
                    (lastCount, lastProgress) = (count, Stopwatch.GetTimestamp());
                }
            }

            var done = Stopwatch.GetTimestamp();
            await app.StopAsync(cancellationToken);
            return ((events - firstCount) / Stopwatch.GetElapsedTime(first, done).TotalSeconds, events / Stopwatch.GetElapsedTime(started, done).TotalSeconds,
                await CountAsync(database, cancellationToken));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static async Task<long> CountAsync(string database, CancellationToken cancellationToken)
    {
        if (!File.Exists(database))
        {
            return 0;
        }

        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM audit_events";
        try
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
        catch (SqliteException)
        {
            return 0; // not migrated yet
        }
    }
}
