namespace UserAudit.KafkaBroker.Hosting;

/// <summary>A control request would take the broker past one of its <see cref="BrokerControlOptions"/> caps.</summary>
/// <param name="message">Which cap, and how much of it is used.</param>
public sealed class BrokerLimitException(string message) : InvalidOperationException(message);
