namespace UserAudit.Tests.Faults;

/// <summary>Bytes for a socket of their own.</summary>
/// <param name="Build">Builds the bytes (on demand: some are megabytes).</param>
/// <param name="HalfClose">Whether the client shuts down its sending side after the bytes.</param>
internal sealed record RawRequest(Func<byte[]> Build, bool HalfClose = false);
