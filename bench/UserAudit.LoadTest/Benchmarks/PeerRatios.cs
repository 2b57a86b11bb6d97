namespace UserAudit.LoadTest.Benchmarks;

/// <summary>UserService against the others, from the medians.</summary>
/// <param name="FastestPeer">The Wolverine mode with the higher rename rate.</param>
/// <param name="OverFastestPeer">UserService's renames/s over the fastest peer's (issue 14's target: at least 1.2).</param>
/// <param name="OverWolverineEfCore">UserService's renames/s over Wolverine EF Core's.</param>
/// <param name="OverWolverineAdoNet">UserService's renames/s over Wolverine ADO.NET's.</param>
/// <param name="OverRowOnlyBaseline">UserService's renames/s over the row-only baseline's: what the outbox costs.</param>
/// <param name="P99OverFastestPeer">UserService's p99 over the fastest peer's (target: at most 1).</param>
/// <param name="OverBefore">UserService's renames/s over the other build's (<c>--user-service-before</c>), when measured.</param>
/// <param name="P99OverBefore">UserService's p99 over the other build's, when measured.</param>
/// <param name="NativeOverUserService">The NativeAOT executable's renames/s over the JIT-compiled UserService's, when measured.</param>
/// <param name="NativeOverFastestPeer">The NativeAOT executable's renames/s over the fastest peer's, when measured.</param>
public sealed record PeerRatios(
    PeerSystem FastestPeer, double OverFastestPeer, double OverWolverineEfCore, double OverWolverineAdoNet, double OverRowOnlyBaseline, double P99OverFastestPeer,
    double? OverBefore = null, double? P99OverBefore = null, double? NativeOverUserService = null, double? NativeOverFastestPeer = null);
