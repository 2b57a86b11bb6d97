namespace UserAudit.AppHost.Kafka;

/// <summary>The Kafka mode chosen, and why, so the choice can be logged and tested.</summary>
/// <param name="Mode">The mode chosen.</param>
/// <param name="Reason">A sentence saying what decided it.</param>
public sealed record KafkaModeDecision(KafkaMode Mode, string Reason);
