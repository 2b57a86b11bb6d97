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
using Npgsql;
using UserAudit.CloudEvents;
using UserAudit.CloudEvents.Kafka;
using UserAudit.KafkaBroker.MockCluster;
using UserAudit.LoadTest.Load;
using UserAudit.ServiceDefaults.Kafka;
using UserAudit.ServiceDefaults.Storage;

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
/// <param name="StoreOnlyPerSecond">The same rows through AuditService's store alone (<see cref="StoreOnlyBaseline"/>): between the two above.</param>
/// <param name="Postgres">The same drain on PostgreSQL, when asked for.</param>
/// <param name="Processes">The same drain by AuditService in its own process, JIT-compiled and NativeAOT, when asked for.</param>
public sealed record DrainResult(int Events, int Partitions, double ProducedPerSecond, double RawConsumedPerSecond,
    double StoredPerSecond, double StoredPerSecondFromStart, double Ratio, long Stored, double RawInsertedPerSecond, double InsertRatio,
    double StoreOnlyPerSecond, PostgresDrainResult? Postgres, IReadOnlyList<ProcessDrain>? Processes = null);

/// <summary>AuditService draining the topic in its own process, started as the AppHost starts it (<see cref="ServiceProcess"/>).</summary>
/// <param name="Build"><c>JIT</c> (<c>dotnet AuditService.dll</c>) or <c>NativeAOT</c> (the published executable).</param>
/// <param name="StoredPerSecond">First to last stored event.</param>
/// <param name="PeakRssMiB">The process's highest resident memory, sampled every 500 ms from start to the last event.</param>
/// <param name="Stored">Rows in its store at the end (must equal the events).</param>
public sealed record ProcessDrain(string Build, double StoredPerSecond, double PeakRssMiB, long Stored);

/// <summary>
/// The drain on PostgreSQL (a scratch server) beside SQLite's, each with the events sent once every
/// replica has joined (stored events per second, first to last stored).
/// </summary>
/// <param name="Inserts">PostgreSQL's own insert rates for the same rows, one per way of batching.</param>
/// <param name="Sqlite">AuditService on SQLite, one replica.</param>
/// <param name="OneReplica">AuditService on PostgreSQL, one replica.</param>
/// <param name="Replicas">How many replicas the last drain ran.</param>
/// <param name="AllReplicas">AuditService on PostgreSQL, <paramref name="Replicas"/> replicas in one consumer group.</param>
/// <param name="RatioToSqlite">All replicas' rate over the single SQLite replica's (issue 13's target: at least 1.0).</param>
/// <param name="Stored">Rows in the audit store after each drain (each must equal the events).</param>
public sealed record PostgresDrainResult(PostgresInsertRates Inserts, double Sqlite, double OneReplica, int Replicas, double AllReplicas, double RatioToSqlite,
    IReadOnlyList<long> Stored);

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

    /// <summary>
    /// Runs the four phases, and with <paramref name="postgresReplicas"/> above 0 the PostgreSQL ones:
    /// its insert rates for the same rows, then AuditService drains with one replica and with that many.
    /// </summary>
    /// <param name="events">Events to pre-fill.</param>
    /// <param name="partitions">Partitions of the topic.</param>
    /// <param name="postgresReplicas">Replicas of the PostgreSQL drain; 0 for none.</param>
    /// <param name="builds">When set, AuditService's JIT-compiled assembly and NativeAOT executable also drain the topic, each in its own process.</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    public static async Task<DrainResult> RunAsync(int events, int partitions, int postgresReplicas, (string Jit, string Native)? builds, TextWriter log,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        using var cluster = MockKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions);
        cluster.CreateTopic(Topic + ".deadletter", 1);

        var cloudEvents = CreateEvents(events);
        var records = AsStored(cloudEvents, partitions);
        var (produced, inserted, storeOnly) = await PrefillAsync(cluster.Bootstraps, cloudEvents, records, partitions, log, cancellationToken);
        await using var postgres = postgresReplicas > 0 ? await ScratchPostgres.StartAsync(cancellationToken) : null;
        var postgresInserts = postgres is null ? null : await PostgresInsertBaseline.MeasureAsync(postgres, records, cancellationToken);
        if (postgresInserts is not null)
        {
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"PostgreSQL inserts of the same rows: {postgresInserts.RowByRow:N0}/s row by row, {postgresInserts.MultiRow:N0}/s multi-row, {postgresInserts.Copy:N0}/s COPY"));
        }

        var resend = postgres is null ? null : cloudEvents;
        (cloudEvents, records) = ([], []);
        // The events and rows of the pre-fill are garbage now: collected here, not during the drain
        // of AuditService, which runs in this process.
        GC.Collect();
        var raw = ConsumeRaw(cluster.Bootstraps, events, log, cancellationToken);
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"raw Confluent.Kafka consume: {raw:N0} messages/s"));
        var sqlite = await DrainSqliteAsync(cluster.Bootstraps, Topic, events, "audit-drain", null, cancellationToken);
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"AuditService: {sqlite.Stored:N0} events/s stored ({sqlite.FromStart:N0}/s counting start-up and group join), {sqlite.Rows:N0} rows"));
        List<ProcessDrain>? processes = null;
        if (builds is var (jit, native))
        {
            processes = [];
            foreach (var (build, program) in ((string, string)[])[("JIT", jit), ("NativeAOT", native)])
            {
                var drained = await DrainProcessAsync(cluster.Bootstraps, events, build, program, cancellationToken);
                await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"AuditService process, {build}: {drained.StoredPerSecond:N0} events/s stored, peak resident memory {drained.PeakRssMiB:N0} MiB, {drained.Stored:N0} rows"));
                processes.Add(drained);
            }
        }

        var onPostgres = postgres is null ? null
            : await DrainPostgresAsync(cluster, resend!, partitions, postgres, postgresReplicas, postgresInserts!, log, cancellationToken);
        return new DrainResult(events, partitions, Math.Round(produced), Math.Round(raw), Math.Round(sqlite.Stored), Math.Round(sqlite.FromStart),
            Math.Round(sqlite.Stored / raw, 3), sqlite.Rows, Math.Round(inserted), Math.Round(sqlite.Stored / inserted, 3), Math.Round(storeOnly), onPostgres, processes);
    }

    /// <summary>
    /// The drains on PostgreSQL, and SQLite's again the same way for the ratio. The embedded broker
    /// takes about 9 s for each rebalance, so replicas started together onto a full topic would leave
    /// the first to join alone with every partition until then: each drain here uses a fresh topic,
    /// waits until every replica holds partitions, and only then sends the events (at 60,000/s or
    /// more, far ahead of the store, from this process: the first second or two of each drain shares
    /// the CPU with the producer, alike for all three).
    /// </summary>
    private static async Task<PostgresDrainResult> DrainPostgresAsync(MockKafkaCluster cluster, List<CloudEvent> cloudEvents, int partitions,
        ScratchPostgres server, int replicas, PostgresInsertRates inserts, TextWriter log, CancellationToken cancellationToken)
    {
        var postgres = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            [$"ConnectionStrings:{ServiceDatabaseExtensions.PostgresConnectionName}"] = server.ConnectionString,
        };
        var rounds = new List<(string Name, int Replicas, double Rate, long Rows)>();
        foreach (var (name, count) in ((string, int)[])[("SQLite", 1), ("PostgreSQL", 1), ("PostgreSQL", replicas)])
        {
            var topic = Topic + "-" + rounds.Count.ToString(CultureInfo.InvariantCulture);
            cluster.CreateTopic(topic, partitions);
            Task Send(CancellationToken ct) => Task.Run(() => Produce(cluster.Bootstraps, topic, cloudEvents), ct);
            (double Stored, double FromStart, long Rows) drained;
            if (name == "SQLite")
            {
                drained = await DrainSqliteAsync(cluster.Bootstraps, topic, cloudEvents.Count, topic, Send, cancellationToken);
            }
            else
            {
                await server.DropDatabaseAsync(AuditEventStore.Schema.Name, cancellationToken);
                await using var dataSource = NpgsqlDataSource.Create(server.ConnectionStringOf(AuditEventStore.Schema.Name));
                drained = await DrainAsync(cluster.Bootstraps, topic, cloudEvents.Count, count, topic, postgres, (exact, ct) => StoredPostgresAsync(dataSource, exact, ct), Send, cancellationToken);
            }

            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"AuditService on {name}, {count} replica(s), events sent once all joined: {drained.Stored:N0} events/s stored, {drained.Rows:N0} rows"));
            rounds.Add((name, count, drained.Stored, drained.Rows));
        }

        return new PostgresDrainResult(inserts, Math.Round(rounds[0].Rate), Math.Round(rounds[1].Rate), replicas, Math.Round(rounds[2].Rate),
            Math.Round(rounds[2].Rate / rounds[0].Rate, 3), [.. rounds.Select(r => r.Rows)]);
    }

    /// <summary>One AuditService replica on a fresh SQLite database in a temporary folder, removed after.</summary>
    private static async Task<(double Stored, double FromStart, long Rows)> DrainSqliteAsync(string bootstrapServers, string topic, int events, string group,
        Func<CancellationToken, Task>? sendAfterJoin, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("useraudit-drain-");
        var database = Path.Combine(directory.FullName, "audit.db");
        try
        {
            return await DrainAsync(bootstrapServers, topic, events, 1, group,
                new Dictionary<string, string?> { ["Storage:DataDirectory"] = directory.FullName }, (exact, ct) => StoredSqliteAsync(database, exact, ct), sendAfterJoin, cancellationToken);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static async Task<(double Produced, double Inserted, double StoreOnly)> PrefillAsync(string bootstrapServers, List<CloudEvent> cloudEvents, List<AuditRecord> records,
        int partitions, TextWriter log, CancellationToken cancellationToken)
    {
        var events = cloudEvents.Count;
        var produced = Produce(bootstrapServers, Topic, cloudEvents);
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"pre-filled {events:N0} events on {partitions} partitions at {produced:N0}/s"));
        var inserted = await RawInsertBaseline.MeasureAsync(records, cancellationToken);
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"raw insert of the same rows into AuditService's schema: {inserted:N0} rows/s ({RawInsertBaseline.BatchSize} a transaction)"));
        var storeOnly = await StoreOnlyBaseline.MeasureAsync(records, cancellationToken);
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"AuditService's store alone, the same rows: {storeOnly:N0} events/s"));
        return (produced, inserted, storeOnly);
    }

    // UserService-shaped events: time-ordered ids, JSON data, trace context, the actor (each user
    // renaming themself), 1,000 users.
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
            cloudEvent.SetAuthContext(AuthTypes.User, user);
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

    private static double Produce(string bootstrapServers, string topic, List<CloudEvent> cloudEvents)
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
            producer.Produce(topic, cloudEvent.ToKafkaMessage(ContentMode.Binary, formatter, (string?)cloudEvent.Subject));
        }

        producer.Flush(TimeSpan.FromMinutes(2));
        return cloudEvents.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>How long a drain may see no new event before it gives up.</summary>
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(30);

    private static double ConsumeRaw(string bootstrapServers, int events, TextWriter log, CancellationToken cancellationToken)
    {
        using var consumer = TopicReader.FromStart(bootstrapServers, "raw-");
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

    /// <summary>
    /// AuditService's real ingestion, <paramref name="replicas"/> hosts in this process in one consumer
    /// group, each with its own wiring on the storage <paramref name="storage"/> names, from start to
    /// the last of <paramref name="events"/> stored (<paramref name="stored"/> says how many are: the
    /// chain head's position while the drain runs, the rows counted at the end). With
    /// <paramref name="sendAfterJoin"/>, the topic is empty at start: the events are sent once every
    /// replica holds partitions, and the rate from start counts from then.
    /// </summary>
    private static async Task<(double Stored, double FromStart, long Rows)> DrainAsync(string bootstrapServers, string topic, int events, int replicas, string group,
        IReadOnlyDictionary<string, string?> storage, Func<bool, CancellationToken, Task<long>> stored, Func<CancellationToken, Task>? sendAfterJoin,
        CancellationToken cancellationToken)
    {
        // The content root apart from the database's folder: the host watches its content root
        // (with subdirectories) for configuration changes, and would wake for every SQLite write.
        var contentRoot = Directory.CreateTempSubdirectory("useraudit-drain-content-");
        var settings = IngestionSettings(bootstrapServers, topic, group).Concat(storage)
            .Append(new("urls", "http://127.0.0.1:0")).ToDictionary(e => e.Key, e => e.Value);
        var apps = new List<WebApplication>();
        var watches = new List<AssignmentWatch>();
        try
        {
            for (var i = 0; i < replicas; i++)
            {
                var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = contentRoot.FullName });
                builder.Configuration.AddInMemoryCollection(settings);
                builder.Logging.ClearProviders();
                var watch = new AssignmentWatch();
                builder.Logging.AddProvider(watch);
                watches.Add(watch);
                builder.AddServiceDefaults();
                builder.AddAuditServiceComponents();
                apps.Add(builder.Build());
            }

            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(apps.Select(app => app.StartAsync(cancellationToken)));
            var sending = Task.CompletedTask;
            if (sendAfterJoin is not null)
            {
                while (!watches.All(w => w.Held > 0))
                {
                    if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromMinutes(2))
                    {
                        throw new TimeoutException($"Not every one of {replicas} replicas held partitions of {topic} within 2 minutes.");
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
                }

                started = Stopwatch.GetTimestamp();
                sending = sendAfterJoin(cancellationToken);
            }

            var (rate, done) = await WaitStoredAsync(events, started, stored, cancellationToken);
            await sending;
            await Task.WhenAll(apps.Select(app => app.StopAsync(cancellationToken)));
            return (rate, events / Stopwatch.GetElapsedTime(started, done).TotalSeconds, await stored(true, cancellationToken));
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.DisposeAsync();
            }

            contentRoot.Delete(recursive: true);
        }
    }

    // What every drained AuditService is told: the broker, the topic and its dead-letter topic, its
    // group, a read key (it serves only with one) and the checkpoint key (it signs checkpoints of its
    // hash chain; one key for all replicas).
    private static Dictionary<string, string?> IngestionSettings(string bootstrapServers, string topic, string group) => new()
    {
        ["ConnectionStrings:kafka"] = bootstrapServers,
        ["Ingestion:Topic"] = topic,
        ["Ingestion:DeadLetterTopic"] = Topic + ".deadletter",
        ["Ingestion:GroupId"] = group,
        ["Auth:ReadKeys:drain"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)),
        ["Integrity:CheckpointKey"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
    };

    // Polls the store until every event is in; the rate from the first stored event to the last.
    private static async Task<(double Rate, long Done)> WaitStoredAsync(int events, long started, Func<bool, CancellationToken, Task<long>> stored,
        CancellationToken cancellationToken)
    {
        long first = 0, firstCount = 0, head = 0, lastCount = 0;
        var lastProgress = Stopwatch.GetTimestamp();
        while (head < events)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
            head = await stored(false, cancellationToken);
            if (first == 0 && head > 0)
            {
                (first, firstCount) = (Stopwatch.GetTimestamp(), head);
            }

            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromMinutes(10))
            {
                throw new TimeoutException($"AuditService stored {head} of {events} events in 10 minutes.");
            }

            if (head == lastCount && Stopwatch.GetElapsedTime(lastProgress) > StallTimeout)
            {
                throw new TimeoutException($"AuditService stored {head} of {events} events and nothing more for {StallTimeout.TotalSeconds:N0} s.");
            }

            if (head != lastCount)
            {
                (lastCount, lastProgress) = (head, Stopwatch.GetTimestamp());
            }
        }

        var done = Stopwatch.GetTimestamp();
        return ((events - firstCount) / Stopwatch.GetElapsedTime(first, done).TotalSeconds, done);
    }

    /// <summary>
    /// AuditService in its own process (<paramref name="program"/>: its assembly or its NativeAOT
    /// executable) drains the pre-filled topic under a group of its own into a fresh SQLite database;
    /// its resident memory is sampled from start to the last stored event.
    /// </summary>
    private static async Task<ProcessDrain> DrainProcessAsync(string bootstrapServers, int events, string build, string program, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("useraudit-drain-");
        var database = Path.Combine(directory.FullName, "audit.db");
        var memory = new ProcessMemory(["AuditService"], TimeSpan.FromMilliseconds(500), directory.FullName);
        using var sampling = new CancellationTokenSource();
        var sampler = memory.RunAsync(sampling.Token);
        try
        {
            var started = Stopwatch.GetTimestamp();
            double rate;
            // The in-process drain's settings, as the environment variables a process reads them from.
            var environment = IngestionSettings(bootstrapServers, Topic, "audit-drain-" + build.ToLowerInvariant())
                .Append(new("Storage:DataDirectory", directory.FullName))
                .ToDictionary(e => e.Key, e => e.Value!).AsEnvironment();
            await using (await ServiceProcess.StartAsync("AuditService (" + build + ")", program, environment, cancellationToken))
            {
                (rate, _) = await WaitStoredAsync(events, started, (exact, ct) => StoredSqliteAsync(database, exact, ct), cancellationToken);
                memory.Sample();
            }

            return new ProcessDrain(build, Math.Round(rate), memory.PeakMiB.GetValueOrDefault("AuditService"), await StoredSqliteAsync(database, true, cancellationToken));
        }
        finally
        {
            await sampling.CancelAsync();
            await sampler;
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    // While the drain runs, the chain head's position: every stored row is a link, a fresh store's
    // first is 1, and reading it costs one row whatever the table's size (a count every 20 ms was a
    // full index scan on the same two cores). At the end, the rows themselves, counted.
    private static string StoredRowsSql(bool exact) => exact ? "SELECT count(*) FROM audit_events" : "SELECT position FROM audit_chain WHERE id = 1";

    private static async Task<long> StoredPostgresAsync(NpgsqlDataSource dataSource, bool exact, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand(StoredRowsSql(exact));
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken) ?? 0L, CultureInfo.InvariantCulture);
        }
        catch (NpgsqlException)
        {
            return 0; // not created or migrated yet
        }
    }

    private static async Task<long> StoredSqliteAsync(string database, bool exact, CancellationToken cancellationToken)
    {
        if (!File.Exists(database))
        {
            return 0;
        }

        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = StoredRowsSql(exact);
        try
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken) ?? 0L, CultureInfo.InvariantCulture);
        }
        catch (SqliteException)
        {
            return 0; // not migrated yet
        }
    }
}
