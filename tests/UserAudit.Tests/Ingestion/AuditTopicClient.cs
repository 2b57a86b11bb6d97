using System.Globalization;
using System.Text;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Confluent.Kafka;
using Microsoft.Data.Sqlite;
using UserAudit.CloudEvents.Kafka;
using UserAudit.ServiceDefaults.Kafka;
using UserAudit.Tests.Infrastructure;

namespace UserAudit.Tests.Ingestion;

/// <summary>
/// Talks to the application's Kafka topics the way an outside producer and an operator would: a
/// plain Confluent producer for the audit topic and an unsubscribed reader of the dead-letter topic.
/// </summary>
internal sealed class AuditTopicClient : IDisposable
{
    public const string Topic = AuditTopics.Audit;
    public const string DeadLetterTopic = AuditTopics.DeadLetter;
    public const string Source = "urn:useraudit:tests:ingestion";

    private static readonly JsonEventFormatter Formatter = new();
    private readonly string _bootstrapServers;
    private readonly IProducer<string?, byte[]?> _producer;
    private readonly Dictionary<string, ConsumeResult<string?, byte[]?>> _deadLettersRead = [];
    private IConsumer<string?, byte[]?>? _deadLetters;

    public AuditTopicClient(string bootstrapServers)
    {
        _bootstrapServers = bootstrapServers;
        _producer = new ProducerBuilder<string?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            // Room for the oversized poison message (the service accepts 1 MiB).
            MessageMaxBytes = 4 * 1024 * 1024,
        }).Build();
    }

    /// <summary>A user-created-like event with its own id.</summary>
    public static CloudEvent NewEvent(string subject, string? id = null) => new()
    {
        Id = id ?? Guid.NewGuid().ToString(),
        Source = new Uri(Source),
        Type = "org.useraudit.tests.ingested.v1",
        Subject = subject,
        Time = DateTimeOffset.UtcNow,
        DataContentType = "application/json",
        Data = new { subject },
    };

    /// <summary>
    /// The <paramref name="n"/>th of 60 keys under <paramref name="subject"/>, for a stream that must
    /// reach all three partitions of the audit topic. The keys are new each run and hash to partitions
    /// at random: with 12 of them some partition got none about one run in fifty (3 x (2/3)^12); with
    /// 60, about one run in ten billion.
    /// </summary>
    public static string SpreadKey(string subject, int n) => $"{subject}-{n % 60}";

    /// <summary>The event as the binding encodes it in binary mode, with <paramref name="key"/>.</summary>
    public static Message<string?, byte[]?> ToMessage(CloudEvent cloudEvent, string key) =>
        cloudEvent.ToKafkaMessage<string?>(ContentMode.Binary, Formatter, key);

    public Task<DeliveryResult<string?, byte[]?>> ProduceAsync(Message<string?, byte[]?> message, CancellationToken cancellationToken) =>
        _producer.ProduceAsync(Topic, message, cancellationToken);

    public Task<DeliveryResult<string?, byte[]?>> ProduceAsync(CloudEvent cloudEvent, string key, CancellationToken cancellationToken) =>
        ProduceAsync(ToMessage(cloudEvent, key), cancellationToken);

    /// <summary>Waits for the dead letter of the message produced at <paramref name="original"/>.</summary>
    public Task<ConsumeResult<string?, byte[]?>> WaitForDeadLetterAsync(TopicPartitionOffset original, CancellationToken cancellationToken)
    {
        // Read from the start with an own group id and no subscription: nothing to join, nothing
        // committed. Everything read is kept, so waits do not depend on dead-letter order.
        _deadLetters ??= CreateDeadLetterReader();
        var wanted = Coordinates(original.Topic, original.Partition.Value.ToString(CultureInfo.InvariantCulture), original.Offset.Value.ToString(CultureInfo.InvariantCulture));
        return Eventually.GetAsync(ct =>
        {
            // Already read while waiting for another one: no 200 ms wait for a message that is not coming.
            if (_deadLettersRead.GetValueOrDefault(wanted) is { } known)
            {
                return Task.FromResult<ConsumeResult<string?, byte[]?>?>(known);
            }

            while (!ct.IsCancellationRequested && _deadLetters.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
            {
                if (!result.IsPartitionEOF)
                {
                    _deadLettersRead[Coordinates(Header(result, "dlq-original-topic"), Header(result, "dlq-original-partition"), Header(result, "dlq-original-offset"))] = result;
                }
            }

            return Task.FromResult(_deadLettersRead.GetValueOrDefault(wanted));
        }, $"the dead letter of {original}", cancellationToken: cancellationToken);
    }

    private static string Coordinates(string? topic, string? partition, string? offset) => $"{topic}[{partition}]@{offset}";

    private IConsumer<string?, byte[]?> CreateDeadLetterReader()
    {
        var consumer = new ConsumerBuilder<string?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = _bootstrapServers,
            GroupId = "ingestion-tests-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(DeadLetterTopic, 0, Offset.Beginning));
        return consumer;
    }

    /// <summary>The last value of header <paramref name="name"/> as UTF-8 text, or null.</summary>
    public static string? Header(ConsumeResult<string?, byte[]?> result, string name) =>
        result.Message.Headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>Rows of <paramref name="subject"/> in AuditService's database: all, and distinct (source, id).</summary>
    public static async Task<(long Rows, long Distinct, HashSet<string> Ids)> CountStoredAsync(string databasePath, string subject, CancellationToken cancellationToken)
    {
        if (!File.Exists(databasePath))
        {
            return (0, 0, []);
        }

        var connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 5 };
        await using var connection = new SqliteConnection(connectionString.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, source FROM audit_events WHERE subject = $subject";
        command.Parameters.AddWithValue("$subject", subject);
        var ids = new HashSet<string>();
        var pairs = new HashSet<(string, string)>();
        long rows = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows++;
            ids.Add(reader.GetString(0));
            pairs.Add((reader.GetString(1), reader.GetString(0)));
        }

        return (rows, pairs.Count, ids);
    }

    public void Dispose()
    {
        _producer.Dispose();
        _deadLetters?.Close();
        _deadLetters?.Dispose();
    }
}
