using System.Net.Http.Json;

namespace UserAudit.AppHost.Kafka;

/// <summary>
/// The embedded broker's fault switches as commands on its resource in the dashboard: take the
/// broker down, bring it back, add or remove latency. A developer breaks Kafka with a click and
/// watches UserService's outbox hold the events and release them. They call the broker's control
/// API, which exists in Development only, so the commands are added in Development only.
/// </summary>
public static class EmbeddedBrokerCommands
{
    /// <summary>Command names, as the dashboard and <c>ResourceCommandService</c> know them.</summary>
    public const string TakeDown = "broker-down", BringUp = "broker-up", AddLatency = "broker-add-latency", RemoveLatency = "broker-remove-latency";

    /// <summary>The round trip "Add latency" gives every request to the broker.</summary>
    public static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(500);

    // The embedded cluster has one broker (EmbeddedBroker starts it so).
    private const int BrokerId = 1;

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Adds the commands to the embedded broker's resource (Development only; elsewhere nothing is added).</summary>
    public static IResourceBuilder<EmbeddedKafkaResource> WithFaultCommands(this IResourceBuilder<EmbeddedKafkaResource> builder, bool isDevelopment)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!isDevelopment)
        {
            return builder;
        }

        var control = builder.GetEndpoint("http");
        Task<ExecuteCommandResult> Send(HttpMethod method, string path, object? body, CancellationToken cancellationToken) =>
            SendAsync(new Uri(control.Url), method, path, body, cancellationToken);

        return builder
            .WithCommand(TakeDown, "Take broker down",
                context => Send(HttpMethod.Post, $"/v1/broker/brokers/{BrokerId}/down", null, context.CancellationToken),
                Options("Every request to the broker fails until it is brought up; UserService's outbox keeps the events meanwhile.", "PlugDisconnected"))
            .WithCommand(BringUp, "Bring broker up",
                context => Send(HttpMethod.Post, $"/v1/broker/brokers/{BrokerId}/up", null, context.CancellationToken),
                Options("The broker answers again; the outbox relay and the consumers catch up.", "PlugConnected"))
            .WithCommand(AddLatency, $"Add latency ({Latency.TotalMilliseconds:0} ms)",
                context => Send(HttpMethod.Put, $"/v1/broker/brokers/{BrokerId}/rtt", new { milliseconds = (int)Latency.TotalMilliseconds }, context.CancellationToken),
                Options($"Every request to the broker takes {Latency.TotalMilliseconds:0} ms longer.", "Timer"))
            .WithCommand(RemoveLatency, "Remove latency",
                context => Send(HttpMethod.Put, $"/v1/broker/brokers/{BrokerId}/rtt", new { milliseconds = 0 }, context.CancellationToken),
                Options("The broker answers without added latency.", "TimerOff"));
    }

    /// <summary>Calls the broker's control API at <paramref name="controlApi"/>; the answer becomes the command's result.</summary>
    public static async Task<ExecuteCommandResult> SendAsync(Uri controlApi, HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(controlApi);
        try
        {
            using var request = new HttpRequestMessage(method, new Uri(controlApi, path)) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await Http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode
                ? CommandResults.Success()
                : CommandResults.Failure($"The broker's control API answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        catch (HttpRequestException ex)
        {
            return CommandResults.Failure($"The broker's control API did not answer: {ex.Message}");
        }
    }

    // Enabled while the broker runs; disabled while it starts or after it stopped.
    private static CommandOptions Options(string description, string icon) => new()
    {
        Description = description,
        IconName = icon,
        IconVariant = IconVariant.Regular,
        UpdateState = context => context.ResourceSnapshot.State?.Text == KnownResourceStates.Running
            ? ResourceCommandState.Enabled
            : ResourceCommandState.Disabled,
    };
}
