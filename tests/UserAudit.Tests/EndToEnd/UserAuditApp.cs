using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UserAudit.Tests.Infrastructure;
using Xunit;

namespace UserAudit.Tests.EndToEnd;

/// <summary>
/// The real AppHost, started through Aspire.Hosting.Testing on the embedded broker, with its own
/// data folder and random ports. One instance serves the end-to-end tests that share it; tests
/// that break things (kill a service, stop the broker) start their own.
/// </summary>
public sealed class UserAuditApp : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private DistributedApplication? _app;
    private Uri? _dashboardLoginUri;
    private const string ResourceLogCategory = "UserAudit.AppHost.Resources";
    private const string AppHostLogCategory = "UserAudit.AppHost";
    private readonly CancellationTokenSource _stopping = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _logs = new();

    /// <summary>Every console log line of every resource so far ("resource: line"), the orchestrator's warnings and the AppHost's own lines ("apphost: line").</summary>
    public IReadOnlyCollection<string> Logs => _logs;

    /// <summary>Folder holding both services' databases.</summary>
    public string DataRoot { get; } = Path.Combine(Path.GetTempPath(), "useraudit-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The running application.</summary>
    public DistributedApplication App => _app ?? throw new InvalidOperationException("The application has not started.");

    /// <summary>Client of UserService, signed in as the administrator.</summary>
    public HttpClient Users { get; private set; } = null!;

    /// <summary>The source prefix the tests' ingest key is granted (besides <c>urn:useraudit:*</c>, where UserService's own source stays reserved).</summary>
    public const string TestSources = "urn:useraudit-tests:";

    /// <summary>The first administrator's id, given to the AppHost as its <c>admin-id</c> parameter.</summary>
    public string AdminId { get; } = Guid.CreateVersion7().ToString();

    /// <summary>The first administrator's password (<c>admin-password</c>).</summary>
    public string AdminPassword { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>The key UserService signs access tokens with (<c>user-token-signing-key</c>), for tests that forge tokens.</summary>
    public string TokenSigningKey { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

    /// <summary>An administrator's access token; <see cref="Users"/> sends it.</summary>
    public string AdminToken { get; private set; } = "";

    /// <summary>AuditService's read key, given to the AppHost as its <c>audit-api-key</c> parameter.</summary>
    public string AuditApiKey { get; } = NewSecret();

    /// <summary>
    /// The ingest key of the tests' HTTP sender <c>tests</c> (AppHost parameter <c>audit-ingest-key-tests</c>),
    /// granted <see cref="TestSources"/> and <c>urn:useraudit:*</c>.
    /// </summary>
    public string IngestKey { get; } = NewSecret();

    /// <summary>The secret AuditService's checkpoint signing key is derived from (AppHost parameter <c>audit-checkpoint-key</c>).</summary>
    public string CheckpointKey { get; } = NewSecret();

    /// <summary>Client of AuditService's read API, sending <see cref="AuditApiKey"/>.</summary>
    public HttpClient Audit { get; private set; } = null!;

    /// <summary>Client of AuditService's HTTP ingest, sending <see cref="IngestKey"/>.</summary>
    public HttpClient Ingest { get; private set; } = null!;

    /// <summary>Client of the embedded broker's control API.</summary>
    public HttpClient Broker { get; private set; } = null!;

    /// <summary>Kafka bootstrap servers.</summary>
    public string KafkaBootstrapServers { get; private set; } = "";

    /// <summary>Extra AppHost arguments, for tests that need another shape.</summary>
    public IList<string> Arguments { get; } = [];

    /// <summary>Runs the Aspire dashboard too, on ports of its own; Aspire.Hosting.Testing leaves it out unless asked.</summary>
    public bool WithDashboard { get; init; }

    /// <summary>The dashboard's login address, carrying its browser token (<c>/login?t=</c>); only <see cref="WithDashboard"/>.</summary>
    public Uri DashboardLoginUri => _dashboardLoginUri ?? throw new InvalidOperationException("The application runs without its dashboard.");

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        // Every secret parameter is given, so that nothing is generated into the AppHost's user secrets.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.UserAudit_AppHost>(new DistributedApplicationTestingBuilderOptions { EnableDashboard = WithDashboard },
        [
            "--Kafka:Mode=embedded", $"--UserAudit:DataRoot={DataRoot}", $"--Parameters:audit-api-key={AuditApiKey}",
            $"--Parameters:admin-id={AdminId}", $"--Parameters:admin-password={AdminPassword}", $"--Parameters:user-token-signing-key={TokenSigningKey}",
            $"--Parameters:audit-checkpoint-key={CheckpointKey}", $"--Parameters:user-service-idempotency-key={NewSecret()}",
            $"--Parameters:audit-ingest-key-example={NewSecret()}", $"--Parameters:audit-ingest-key-tests={IngestKey}",
            $"--AuditService:IngestKeys:tests:0={TestSources}*", "--AuditService:IngestKeys:tests:1=urn:useraudit:*",
            // Every test signs in from 127.0.0.1: the per-address limit is tested on a host of its own.
            "--UserService:Auth:SignInsPerAddressPerMinute=100000",
            .. Arguments,
        ], cts.Token);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire.Hosting", LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            // Aspire.Hosting.Testing forwards every resource's console output under this category.
            .AddFilter(ResourceLogCategory, LogLevel.Information)
            // The AppHost's own lines: the Kafka mode it chose, the addresses once everything is healthy.
            .AddFilter(AppHostLogCategory, LogLevel.Information)
            .AddProvider(new ResourceLogCapture(_logs)));
        _app = await builder.BuildAsync(cts.Token);
        await _app.StartAsync(cts.Token);
        foreach (var resource in (string[])["kafka", "user-service", "audit-service"])
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cts.Token);
        }

        Users = _app.CreateHttpClient("user-service");
        AdminToken = await SignInAsync(AdminId, AdminPassword, cts.Token);
        Users.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        Audit = _app.CreateHttpClient("audit-service");
        Audit.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AuditApiKey);
        Ingest = _app.CreateHttpClient("audit-service");
        Ingest.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", IngestKey);
        Broker = _app.CreateHttpClient("kafka", "http");
        KafkaBootstrapServers = await _app.GetConnectionStringAsync("kafka", cts.Token) ?? throw new InvalidOperationException("No Kafka connection string.");
        if (WithDashboard)
        {
            // Waits until the dashboard is healthy; the address signs a browser in with the token the testing builder generated.
            _dashboardLoginUri = await _app.GetDashboardUrlAsync(cts.Token);
        }
    }

    /// <summary>Signs in and returns the access token.</summary>
    public async Task<string> SignInAsync(string userId, string password, CancellationToken cancellationToken)
    {
        using var anonymous = AnonymousUsersClient();
        using var response = await anonymous.PostAsJsonAsync("/v1/sessions", new { userId, password }, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("accessToken").GetString()!;
    }

    /// <summary>A client of UserService that sends no token.</summary>
    public HttpClient AnonymousUsersClient() => App.CreateHttpClient("user-service");

    /// <summary>A client of UserService that sends <paramref name="token"/>.</summary>
    public HttpClient UsersClient(string token)
    {
        var client = App.CreateHttpClient("user-service");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Creates a user and returns its id.</summary>
    public async Task<string> CreateUserAsync(string name, string password, CancellationToken cancellationToken)
    {
        using var response = await Users.PostAsJsonAsync("/v1/users", new { name, password }, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return body.GetProperty("id").GetString()!;
    }

    /// <summary>Audit events whose subject is <paramref name="subject"/>, newest first, once at least <paramref name="count"/> are stored.</summary>
    public Task<JsonElement[]> WaitForAuditEventsAsync(string subject, int count, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        Eventually.GetAsync(async ct =>
        {
            var page = await Audit.GetFromJsonAsync<JsonElement>($"/v1/audit-events?subject={Uri.EscapeDataString(subject)}&limit=500", ct);
            var items = page.GetProperty("items").EnumerateArray().ToArray();
            return items.Length >= count ? items : null;
        }, $"{count} audit event(s) with subject {subject}", timeout, cancellationToken);

    /// <summary>
    /// The audit events of <paramref name="subject"/> once exactly <paramref name="count"/> are
    /// stored and a later event on the same partition has been stored too: the consumer reads a
    /// partition in order, so a duplicate already on its way would have landed before the barrier.
    /// Asserting "exactly N" right after "at least N" would pass even if a duplicate landed a moment later.
    /// </summary>
    public async Task<JsonElement[]> WaitForExactlyAuditEventsAsync(string subject, int count, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        await WaitForAuditEventsAsync(subject, count, cancellationToken, timeout);
        await PassBarrierAsync(subject, cancellationToken);
        var events = await WaitForAuditEventsAsync(subject, count, cancellationToken);
        Assert.Equal(count, events.Length);
        return events;
    }

    /// <summary>Produces an event keyed like <paramref name="key"/>'s (so on its partition, after its events) and waits until it is stored.</summary>
    public async Task PassBarrierAsync(string key, CancellationToken cancellationToken)
    {
        using var kafka = new Ingestion.AuditTopicClient(KafkaBootstrapServers);
        var barrier = Ingestion.AuditTopicClient.NewEvent("barrier-" + Guid.NewGuid().ToString("N"));
        await kafka.ProduceAsync(barrier, key, cancellationToken);
        await Eventually.TrueAsync(async ct =>
        {
            using var response = await Audit.GetAsync(
                $"/v1/audit-events/by-id?source={Uri.EscapeDataString(barrier.Source!.OriginalString)}&id={Uri.EscapeDataString(barrier.Id!)}", ct);
            return response.IsSuccessStatusCode;
        }, "the barrier event stored", cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Takes the embedded broker down or brings it back with the commands a developer clicks on the
    /// <c>kafka</c> resource in the dashboard, which call the broker's fault-injection API.
    /// </summary>
    public async Task SetBrokerAsync(bool up, CancellationToken cancellationToken)
    {
        var command = up ? UserAudit.AppHost.Kafka.EmbeddedBrokerCommands.BringUp : UserAudit.AppHost.Kafka.EmbeddedBrokerCommands.TakeDown;
        var result = await App.ResourceCommands.ExecuteCommandAsync("kafka", command, cancellationToken);
        Assert.True(result.Success, $"{command}: {result.Message}");
    }

    /// <summary>
    /// Starts a stopped resource again and waits until it is healthy; if it never gets there, the
    /// failure carries the resource's last log lines, the one place that says why.
    /// </summary>
    public async Task StartResourceAsync(string name, CancellationToken cancellationToken)
    {
        var mark = _logs.Count;
        await App.ResourceCommands.ExecuteCommandAsync(name, KnownResourceCommands.StartCommand, cancellationToken);
        try
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(name, cancellationToken);
        }
        catch (OperationCanceledException ex)
        {
            var lines = _logs.Skip(mark).Where(l => l.StartsWith(name, StringComparison.Ordinal)).TakeLast(60);
            throw new TimeoutException($"{name} did not become healthy after its restart. Its last log lines:\n{string.Join('\n', lines)}", ex);
        }
    }

    private static string NewSecret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_app is not null)
        {
            await ResourceProcess.KillAllAsync(_app);
            await _app.DisposeAsync();
        }

        _stopping.Dispose();

        try
        {
            Directory.Delete(DataRoot, recursive: true);
        }
        catch (IOException)
        {
            // A process may still hold a file for a moment; the temp folder is cleaned by the OS.
        }
    }

    /// <summary>Keeps the resources' console lines that the testing host forwards to logging, and what the orchestrator warns.</summary>
    private sealed class ResourceLogCapture(System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) =>
            categoryName.StartsWith(ResourceLogCategory, StringComparison.Ordinal) ? new Capture(categoryName[(ResourceLogCategory.Length + 1)..], lines)
            : categoryName.StartsWith("Aspire.Hosting.Dcp", StringComparison.Ordinal) || categoryName.StartsWith(AppHostLogCategory, StringComparison.Ordinal)
                ? new Capture("apphost", lines)
            : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Dispose()
        {
        }

        private sealed class Capture(string source, System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{source}: {formatter(state, exception)}");
        }
    }
}
