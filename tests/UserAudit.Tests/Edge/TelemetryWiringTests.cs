using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Logs;
using Xunit;

namespace UserAudit.Tests.Edge;

/// <summary>
/// Logs go through OpenTelemetry only when an OTLP endpoint is configured (the AppHost sets one for
/// every service); a service with nowhere to send them does not build a log record of every line.
/// </summary>
public sealed class TelemetryWiringTests
{
    [Fact]
    public void Without_an_otlp_endpoint_logs_skip_open_telemetry()
    {
        using var host = Build(endpoint: null);
        Assert.DoesNotContain(host.Services.GetServices<ILoggerProvider>(), p => p is OpenTelemetryLoggerProvider);
    }

    [Fact]
    public void With_an_otlp_endpoint_logs_go_through_open_telemetry_with_their_message_and_scopes()
    {
        using var host = Build(endpoint: "http://127.0.0.1:4317");
        Assert.Contains(host.Services.GetServices<ILoggerProvider>(), p => p is OpenTelemetryLoggerProvider);
        var options = host.Services.GetRequiredService<IOptions<OpenTelemetryLoggerOptions>>().Value;
        Assert.True(options.IncludeFormattedMessage);
        Assert.True(options.IncludeScopes);
    }

    private static IHost Build(string? endpoint)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production", DisableDefaults = true });
        if (endpoint is not null)
        {
            builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint;
        }

        builder.AddServiceDefaults();
        return builder.Build();
    }
}
