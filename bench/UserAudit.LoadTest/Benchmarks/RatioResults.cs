using UserAudit.LoadTest.Load;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>Renames through UserService against the row-only baseline, same run, same database.</summary>
/// <param name="Service">The run against UserService (outbox, relay, events, audit).</param>
/// <param name="Baseline">The run against <see cref="RowOnlyBaseline"/>.</param>
/// <param name="Ratio">Service throughput over baseline throughput.</param>
public sealed record RenameBenchmarkResult(LoadResult Service, LoadResult Baseline, double Ratio);

/// <summary>Creates and password changes against the raw hashing rate, same run, same cores.</summary>
/// <param name="Iterations">PBKDF2 iterations (UserService's setting).</param>
/// <param name="HashesPerSecond">Raw hashing rate, one thread per core.</param>
/// <param name="Creates">The create run.</param>
/// <param name="CreateRatio">Creates per second over hashes per second.</param>
/// <param name="Passwords">The password change run.</param>
/// <param name="PasswordRatio">Password changes per second over hashes per second.</param>
public sealed record CreateBenchmarkResult(int Iterations, double HashesPerSecond, LoadResult Creates, double CreateRatio, LoadResult Passwords, double PasswordRatio);
