using CloudNative.CloudEvents;

namespace UserAudit.CloudEvents;

/// <summary>The JSON event format (<c>application/cloudevents+json</c>) every UserAudit service encodes and decodes with.</summary>
public static class CloudEventJson
{
    /// <summary>
    /// The formatter: structured and batch bodies, and JSON data in binary mode. It is stateless and
    /// thread-safe, so one instance serves everything. The SDK's, with a short way through
    /// <c>application/json</c> data in binary mode (<see cref="Core.JsonDataFormatter"/>).
    /// </summary>
    public static CloudEventFormatter Formatter { get; } = new Core.JsonDataFormatter();
}
