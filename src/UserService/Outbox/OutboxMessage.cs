namespace UserService.Outbox;

/// <summary>An event waiting to be published, written in the same transaction as the change it describes.</summary>
/// <param name="EventId">CloudEvent id, unique.</param>
/// <param name="Type">CloudEvent type.</param>
/// <param name="Subject">The user id: CloudEvent subject and Kafka key.</param>
/// <param name="Time">When the change happened.</param>
/// <param name="Data">The event data, JSON.</param>
/// <param name="TraceParent">W3C context of the request that caused the change, so the publish span continues its trace.</param>
/// <param name="TraceState">W3C trace state of that request.</param>
/// <param name="AuthType">Who caused the change: the CloudEvents Auth Context <c>authtype</c>.</param>
/// <param name="AuthId">Which principal: the <c>authid</c>, or null.</param>
public sealed record OutboxMessage(
    string EventId, string Type, string Subject, DateTimeOffset Time, string Data, string? TraceParent, string? TraceState,
    string AuthType, string? AuthId);
