namespace UserService.Outbox;

/// <summary>A pending outbox row.</summary>
public sealed record PendingMessage(long Sequence, OutboxMessage Message, int Attempts);
