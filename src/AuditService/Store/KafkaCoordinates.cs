namespace AuditService.Store;

/// <summary>Where a stored event came from on Kafka; null for events received over HTTP.</summary>
public sealed record KafkaCoordinates(string Topic, int Partition, long Offset);
