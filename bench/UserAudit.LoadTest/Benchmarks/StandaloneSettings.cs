using System.Security.Cryptography;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>
/// What a service needs to start on its own, without the AppHost that normally supplies it: one list
/// for the load generator's runs and for the tests that start a service themselves, in process or as
/// a process.
/// </summary>
public static class StandaloneSettings
{
    /// <summary>
    /// UserService's settings (<c>Section:Key</c>): the broker, its data folder, fresh token-signing
    /// and idempotency keys, and the administrator it creates at start, whom callers sign in as.
    /// </summary>
    public static Dictionary<string, string> UserService(string bootstrapServers, string dataDirectory, string adminId, string adminPassword) =>
        new(StringComparer.OrdinalIgnoreCase)
        {
            ["ConnectionStrings:kafka"] = bootstrapServers,
            ["Storage:DataDirectory"] = dataDirectory,
            ["Auth:SigningKey"] = NewKey(),
            // Required since idempotency keys hold a keyed hash of their request.
            ["Idempotency:RequestHashKey"] = NewKey(),
            ["Auth:BootstrapAdmin:Id"] = adminId,
            ["Auth:BootstrapAdmin:Password"] = adminPassword,
        };

    /// <summary>The same settings as the environment variables a process reads them from (<c>Section__Key</c>).</summary>
    public static Dictionary<string, string> AsEnvironment(this IEnumerable<KeyValuePair<string, string>> settings) =>
        settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value, StringComparer.Ordinal);

    private static string NewKey() => Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
}
