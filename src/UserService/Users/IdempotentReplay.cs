namespace UserService.Users;

/// <summary>What a live <c>Idempotency-Key</c> remembers: the first answer, and the keyed hash of the request that got it.</summary>
/// <param name="Response">The first answer's body.</param>
/// <param name="RequestHash">The first request's keyed hash.</param>
public sealed record IdempotentReplay(string Response, byte[] RequestHash);
