using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>
/// A service under test in its own process, <c>dotnet &lt;assembly&gt;</c> (or a native executable:
/// any path not ending in <c>.dll</c>), configured only through
/// environment variables (no AppHost, no dashboard, no telemetry export) and ready once
/// <c>/health</c> answers 200. Started this way, not hosted in the load generator, so the benchmark
/// depends on the service's settings, never on its types.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private const int KeptOutputLines = 40;
    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private ServiceProcess(string name, Process process, Uri address) => (Name, _process, Address) = (name, process, address);

    /// <summary>Name used in messages.</summary>
    public string Name { get; }

    /// <summary>Where the service listens.</summary>
    public Uri Address { get; }

    /// <summary>Starts <paramref name="assembly"/> on a free loopback port and waits until it is healthy.</summary>
    /// <param name="name">Name used in messages.</param>
    /// <param name="assembly">The service's built assembly, or its NativeAOT executable; its folder is the content root (appsettings.json).</param>
    /// <param name="environment">Settings, as <c>Section__Key</c> environment variables.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="InvalidOperationException">The service exited or did not become healthy; the message holds its last output.</exception>
    public static async Task<ServiceProcess> StartAsync(string name, string assembly, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var address = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{LoopbackPort.Free()}"));
        var native = !assembly.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var start = new ProcessStartInfo(native ? assembly : "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!native)
        {
            start.ArgumentList.Add(assembly);
        }

        // Inherited settings that would change what is measured: an OTLP exporter, other URLs.
        foreach (var inherited in (string[])["OTEL_EXPORTER_OTLP_ENDPOINT", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS"])
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["ASPNETCORE_URLS"] = address.ToString();
        // As the AppHost starts the services (glibc's arenas and the GC's youngest generation:
        // docs/benchmarks.md, "Memory"), for every system measured alike.
        start.Environment["MALLOC_ARENA_MAX"] = "2";
        // The AppHost's UserAudit:GCGen0SizeMiB default, 32 MiB (not the budget the reported L3 implies).
        start.Environment["DOTNET_GCgen0size"] = "2000000";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // Console logging per request would be measured too; warnings still show what went wrong.
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start.");
        var service = new ServiceProcess(name, process, address);
        process.OutputDataReceived += (_, e) => service.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => service.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await service.WaitHealthyAsync(TimeSpan.FromMinutes(1), cancellationToken);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the service with SIGTERM (a graceful shutdown), killing it if it has not exited in 15 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // Process.Kill sends SIGKILL; the hosts' graceful stop needs SIGTERM.
            using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false }))
            {
                await kill!.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before it was healthy. Its last output:\n{LastOutput()}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/health", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }

        throw new InvalidOperationException($"{Name} was not healthy within {timeout.TotalSeconds:N0} s. Its last output:\n{LastOutput()}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > KeptOutputLines)
            {
                _output.Dequeue();
            }
        }
    }

    private string LastOutput()
    {
        lock (_output)
        {
            return string.Join('\n', _output);
        }
    }
}
