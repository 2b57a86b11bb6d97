using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using UserAudit.ServiceDefaults.Kafka;

namespace AuditService.Ingestion;

/// <summary>
/// Sends poison messages to the dead-letter topic with the reason and the original coordinates in
/// headers, and makes sure they arrive before the caller moves the partition past them: a dead
/// letter the broker refused is produced again, and one too large for the broker goes without its
/// value rather than stalling the partition forever.
/// </summary>
public sealed partial class DeadLetterPublisher(
    [FromKeyedServices(DeadLetterPublisher.ProducerKey)] IProducer<byte[]?, byte[]?> producer,
    IOptions<IngestionOptions> options,
    IngestionMetrics metrics,
    KafkaTelemetry kafkaTelemetry,
    ILogger<DeadLetterPublisher> logger)
{
    /// <summary>DI key of the dead-letter producer (its own producer: dead letters must not queue behind anything else).</summary>
    public const string ProducerKey = "deadletter";

    private readonly string _topic = options.Value.DeadLetterTopic;

    /// <summary>
    /// Starts producing a dead letter for <paramref name="result"/>; the returned delivery must be
    /// passed to <see cref="EnsureDeliveredAsync"/> before the message's offset is stored.
    /// </summary>
    /// <param name="result">The poison message.</param>
    /// <param name="reason">Kind of failure, for example a <c>CloudEventBindingError</c> name.</param>
    /// <param name="detail">Explanation naming the header or attribute at fault (never a value); escaped here, as it may quote a sender's header name.</param>
    /// <param name="keepValue">False to leave the value out (it is larger than AuditService accepts).</param>
    public DeadLetterDelivery Send(ConsumeResult<byte[]?, byte[]?> result, string reason, string detail, bool keepValue = true)
    {
        ArgumentNullException.ThrowIfNull(result);
        detail = LogText.Escape(detail)!;
        var headers = new Headers();
        if (result.Message.Headers is not null)
        {
            foreach (var header in result.Message.Headers)
            {
                headers.Add(header.Key, header.GetValueBytes());
            }
        }

        headers.Add(DeadLetterHeaders.Reason, Encoding.UTF8.GetBytes(reason));
        headers.Add(DeadLetterHeaders.Detail, Encoding.UTF8.GetBytes(detail));
        headers.Add(DeadLetterHeaders.OriginalTopic, Encoding.UTF8.GetBytes(result.Topic));
        headers.Add(DeadLetterHeaders.OriginalPartition, Encoding.UTF8.GetBytes(result.Partition.Value.ToString(CultureInfo.InvariantCulture)));
        headers.Add(DeadLetterHeaders.OriginalOffset, Encoding.UTF8.GetBytes(result.Offset.Value.ToString(CultureInfo.InvariantCulture)));
        if (!keepValue)
        {
            headers.Add(DeadLetterHeaders.ValueOmitted, Encoding.UTF8.GetBytes(reason));
        }

        var message = new Message<byte[]?, byte[]?> { Key = result.Message.Key, Value = keepValue ? result.Message.Value : null, Headers = headers };
        metrics.DeadLettered.Add(1, new KeyValuePair<string, object?>("reason", reason));
        kafkaTelemetry.ConsumeFailures.Add(1, new KeyValuePair<string, object?>("error.type", reason));
        LogDeadLettered(logger, result.Topic, result.Partition.Value, result.Offset.Value, reason, detail);
        return new DeadLetterDelivery(producer.ProduceAsync(_topic, message));
    }

    /// <summary>
    /// Waits until every delivery is acknowledged. A refused one is produced again (without its
    /// value when the broker found it too large) and the wait fails, so that the caller's retry
    /// policy waits and calls again.
    /// </summary>
    /// <param name="deliveries">The dead letters of one batch.</param>
    /// <exception cref="ProduceException{TKey, TValue}">A dead letter was not acknowledged; it is already on its way again.</exception>
    public async Task EnsureDeliveredAsync(IReadOnlyList<DeadLetterDelivery> deliveries)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        ProduceException<byte[]?, byte[]?>? firstFailure = null;
        foreach (var delivery in deliveries)
        {
            try
            {
                await delivery.Task;
            }
            catch (ProduceException<byte[]?, byte[]?> failed)
            {
                firstFailure ??= failed;
                delivery.Task = producer.ProduceAsync(_topic, Reducible(failed));
            }
        }

        if (firstFailure is not null)
        {
            throw firstFailure;
        }
    }

    private static Message<byte[]?, byte[]?> Reducible(ProduceException<byte[]?, byte[]?> failed)
    {
        var message = failed.DeliveryResult.Message;
        if (failed.Error.Code != ErrorCode.MsgSizeTooLarge || message.Value is null)
        {
            return message;
        }

        // Retrying the same size fails forever and would stall the partition: send the reason and
        // coordinates without the value.
        message.Headers.Add(DeadLetterHeaders.ValueOmitted, Encoding.UTF8.GetBytes(failed.Error.Code.ToString()));
        return new Message<byte[]?, byte[]?> { Key = message.Key, Value = null, Headers = message.Headers };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered {Topic}[{Partition}]@{Offset}: {Reason}: {Detail}")]
    private static partial void LogDeadLettered(ILogger logger, string topic, int partition, long offset, string reason, string detail);
}
