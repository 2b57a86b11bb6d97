using System.Diagnostics;
using Microsoft.Extensions.Options;
using UserService.Users;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>The raw password hashing rate: UserService's hasher, same settings, one thread per core, nothing else.</summary>
public static class HashRate
{
    /// <summary>Hashes per second over all cores during <paramref name="duration"/>.</summary>
    public static double Measure(int iterations, TimeSpan duration)
    {
        // The hasher's gate opened to every core: this is the machine's raw rate, the ceiling UserService's gate trades for latency.
        using var hashing = new PasswordHashing(Options.Create(new PasswordOptions { Iterations = iterations, MaxConcurrentHashes = Environment.ProcessorCount }));
        Hash(hashing, "warm-up-password"); // JIT and crypto provider set-up stay out of the figure
        long hashes = 0;
        var started = Stopwatch.GetTimestamp();
        var threads = Enumerable.Range(0, Environment.ProcessorCount).Select(i => new Thread(() =>
        {
            while (Stopwatch.GetElapsedTime(started) < duration)
            {
                Hash(hashing, "benchmark-password-" + i);
                Interlocked.Increment(ref hashes);
            }
        }) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return hashes / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    // Each thread hashes synchronously: it owns its core, and the gate never makes it wait.
    private static void Hash(PasswordHashing hashing, string password) =>
        hashing.HashAsync(password, CancellationToken.None).GetAwaiter().GetResult();
}
