using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using UserAudit.KafkaBroker.MockCluster;
using UserAudit.LoadTest.Benchmarks;
using UserService.Users;

namespace UserAudit.Tests.Sessions;

/// <summary>
/// UserService alone, in process, on an in-process Kafka mock and a database of its own, with
/// settings a test chooses (low rate limits, a tiny hashing gate). Starts in a second or two,
/// against the half minute of the whole application.
/// </summary>
public sealed class UserServiceHost : WebApplicationFactory<UserStore>
{
    private readonly MockKafkaCluster _kafka = MockKafkaCluster.Start();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "useraudit-tests", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string> _settings;

    /// <summary>Creates the host; <paramref name="settings"/> override UserService's configuration.</summary>
    public UserServiceHost(params (string Key, string Value)[] settings)
    {
        _settings = StandaloneSettings.UserService(_kafka.Bootstraps, _folder, AdminId, AdminPassword);
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }
    }

    /// <summary>The administrator the host creates at start.</summary>
    public string AdminId { get; } = Guid.CreateVersion7().ToString();

    /// <summary>Its password.</summary>
    public string AdminPassword { get; } = "admin-" + Guid.NewGuid().ToString("N");

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Host settings reach the application's configuration before Program reads it (the Kafka
        // client is configured while the builder runs, so a later configuration source is too late).
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _kafka.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file may still be held for a moment; the temp folder is cleaned by the OS.
        }
    }
}
