namespace UserService.Users;

/// <summary>A create sent with an <c>Idempotency-Key</c>: the key and the keyed hash of what was asked.</summary>
/// <param name="Key">The header's value.</param>
/// <param name="RequestHash">HMAC-SHA256 of the key, the name and the password (<see cref="IdempotencyKeys.RequestHash"/>).</param>
public sealed record IdempotentRequest(string Key, byte[] RequestHash);
