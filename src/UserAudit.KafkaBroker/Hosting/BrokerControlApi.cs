using Microsoft.AspNetCore.Http.HttpResults;

namespace UserAudit.KafkaBroker.Hosting;

/// <summary>
/// Status and fault injection over HTTP, for tests, the fault suite and the dashboard's commands.
/// This is a development broker: these endpoints exist to break it on purpose, so the host maps
/// them in Development only, on loopback, and caps what they create (<see cref="BrokerControlOptions"/>).
/// </summary>
public static partial class BrokerControlApi
{
    /// <summary>Maps <c>/v1/broker</c>.</summary>
    public static RouteGroupBuilder MapBrokerControlApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/broker").WithTags("Broker");
        group.MapGet("/", GetStatus);
        group.MapPost("/brokers/{brokerId:int}/down", (int brokerId, EmbeddedBroker broker) => SetState(broker, brokerId, up: false));
        group.MapPost("/brokers/{brokerId:int}/up", (int brokerId, EmbeddedBroker broker) => SetState(broker, brokerId, up: true));
        group.MapPut("/brokers/{brokerId:int}/rtt", SetRoundTrip);
        group.MapPost("/request-errors", PushRequestErrors);
        group.MapPost("/topics", CreateTopic);
        return group;
    }

    /// <summary>What the broker serves.</summary>
    public sealed record BrokerStatus(string BootstrapServers, IReadOnlyList<TopicStatus> Topics, IReadOnlyCollection<int> BrokersDown);

    /// <summary>A topic and its partition count.</summary>
    public sealed record TopicStatus(string Name, int Partitions);

    /// <summary>Round-trip delay to add to a broker's responses.</summary>
    public sealed record RoundTrip(int Milliseconds);

    /// <summary>Errors the next requests of one Kafka API get, in order.</summary>
    public sealed record RequestErrors(short ApiKey, int[] ErrorCodes);

    private static Ok<BrokerStatus> GetStatus(EmbeddedBroker broker) =>
        TypedResults.Ok(new BrokerStatus(broker.BootstrapServers, [.. broker.Topics.Select(t => new TopicStatus(t.Name, t.Partitions))], broker.BrokersDown));

    private static Results<NoContent, ProblemHttpResult> SetState(EmbeddedBroker broker, int brokerId, bool up)
    {
        if (brokerId < 1 || brokerId > broker.Cluster.BrokerCount)
        {
            return TypedResults.Problem($"Broker {brokerId} does not exist; ids run from 1 to {broker.Cluster.BrokerCount}.", statusCode: StatusCodes.Status404NotFound);
        }

        broker.SetBrokerState(brokerId, up);
        return TypedResults.NoContent();
    }

    private static Results<NoContent, ProblemHttpResult> SetRoundTrip(int brokerId, RoundTrip body, EmbeddedBroker broker)
    {
        if (body.Milliseconds is < 0 or > 60_000)
        {
            return TypedResults.Problem("milliseconds must be between 0 and 60000.", statusCode: StatusCodes.Status400BadRequest);
        }

        if (brokerId < 1 || brokerId > broker.Cluster.BrokerCount)
        {
            return TypedResults.Problem($"Broker {brokerId} does not exist.", statusCode: StatusCodes.Status404NotFound);
        }

        broker.Cluster.SetBrokerRoundTrip(brokerId, TimeSpan.FromMilliseconds(body.Milliseconds));
        return TypedResults.NoContent();
    }

    private static Results<NoContent, ProblemHttpResult> PushRequestErrors(RequestErrors body, EmbeddedBroker broker)
    {
        if (body.ErrorCodes is null || body.ErrorCodes.Length is 0 or > 10_000)
        {
            return TypedResults.Problem("errorCodes must hold 1 to 10000 Kafka error codes.", statusCode: StatusCodes.Status400BadRequest);
        }

        broker.Cluster.PushRequestErrors(body.ApiKey, body.ErrorCodes);
        return TypedResults.NoContent();
    }

    private static Results<Created, ProblemHttpResult> CreateTopic(TopicStatus body, EmbeddedBroker broker)
    {
        if (body.Name is null || !LegalTopicName().IsMatch(body.Name) || body.Name is "." or "..")
        {
            return TypedResults.Problem(
                "name must be 1 to 249 characters of ASCII letters, digits, '.', '_' and '-' (Kafka's rule), and not '.' or '..'.",
                statusCode: StatusCodes.Status400BadRequest);
        }

        if (body.Partitions < 1)
        {
            return TypedResults.Problem("partitions must be at least 1.", statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            broker.CreateTopic(body.Name, body.Partitions);
        }
        catch (Exception ex) when (ex is BrokerLimitException or MockCluster.MockClusterException)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict);
        }

        return TypedResults.Created($"/v1/broker/topics/{Uri.EscapeDataString(body.Name)}");
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-zA-Z0-9._-]{1,249}$")]
    private static partial System.Text.RegularExpressions.Regex LegalTopicName();
}
