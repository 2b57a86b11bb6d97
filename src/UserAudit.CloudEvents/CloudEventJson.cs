using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

namespace UserAudit.CloudEvents;

/// <summary>The JSON event format (<c>application/cloudevents+json</c>) every UserAudit service encodes and decodes with.</summary>
public static class CloudEventJson
{
    /// <summary>
    /// The formatter: structured and batch bodies, and JSON data in binary mode. It is stateless and
    /// thread-safe, so one instance serves everything.
    /// </summary>
    public static CloudEventFormatter Formatter { get; } = new JsonEventFormatter();
}
