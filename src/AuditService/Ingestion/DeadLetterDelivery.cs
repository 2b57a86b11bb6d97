using Confluent.Kafka;

namespace AuditService.Ingestion;

/// <summary>A dead letter on its way to the broker; <see cref="DeadLetterPublisher"/> replaces the task when it produces the message again.</summary>
public sealed class DeadLetterDelivery
{
    internal DeadLetterDelivery(Task<DeliveryResult<byte[]?, byte[]?>> task) => Task = task;

    /// <summary>The current attempt.</summary>
    internal Task<DeliveryResult<byte[]?, byte[]?>> Task { get; set; }
}
