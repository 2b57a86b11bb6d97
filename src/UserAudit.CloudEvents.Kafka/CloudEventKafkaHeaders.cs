using UserAudit.CloudEvents.Core;

namespace UserAudit.CloudEvents.Kafka;

/// <summary>
/// Kafka header names defined by the CloudEvents Kafka protocol binding.
/// </summary>
public static class CloudEventKafkaHeaders
{
    /// <summary>The prefix of every header that carries a CloudEvents attribute in binary content mode.</summary>
    public const string Prefix = "ce_";

    /// <summary>
    /// The header holding <c>datacontenttype</c> in binary mode, or the event format's media type
    /// (for example <c>application/cloudevents+json; charset=utf-8</c>) in structured mode.
    /// </summary>
    public const string ContentType = "content-type";

    /// <summary>The <c>specversion</c> attribute header; its presence marks a binary-mode CloudEvent.</summary>
    public const string SpecVersion = Prefix + "specversion";

    /// <summary>The <c>id</c> attribute header.</summary>
    public const string Id = Prefix + "id";

    /// <summary>The <c>source</c> attribute header.</summary>
    public const string Source = Prefix + "source";

    /// <summary>The <c>type</c> attribute header.</summary>
    public const string Type = Prefix + "type";

    /// <summary>The <c>subject</c> attribute header.</summary>
    public const string Subject = Prefix + "subject";

    /// <summary>The <c>time</c> attribute header.</summary>
    public const string Time = Prefix + "time";

    /// <summary>The <c>dataschema</c> attribute header.</summary>
    public const string DataSchema = Prefix + "dataschema";

    /// <summary>The Partitioning extension's <c>partitionkey</c> attribute header.</summary>
    public const string PartitionKey = Prefix + "partitionkey";

    /// <summary>The distributed tracing extension's <c>traceparent</c> attribute header.</summary>
    public const string TraceParent = Prefix + "traceparent";

    /// <summary>The distributed tracing extension's <c>tracestate</c> attribute header.</summary>
    public const string TraceState = Prefix + "tracestate";

    /// <summary>The Auth Context extension's <c>authtype</c> attribute header.</summary>
    public const string AuthType = Prefix + "authtype";

    /// <summary>The Auth Context extension's <c>authid</c> attribute header.</summary>
    public const string AuthId = Prefix + "authid";

    /// <summary>The known attribute a header carries, or null for any other header.</summary>
    // Switches on constant strings compile to length and character tests, cheaper than hashing
    // the header name for every header of every message.
    internal static KnownAttributeEntry? Find(string header) => header switch
    {
        Id => KnownAttributes.Id,
        Source => KnownAttributes.Source,
        Type => KnownAttributes.Type,
        Subject => KnownAttributes.Subject,
        Time => KnownAttributes.Time,
        DataSchema => KnownAttributes.DataSchema,
        PartitionKey => KnownAttributes.PartitionKey,
        TraceParent => KnownAttributes.TraceParent,
        TraceState => KnownAttributes.TraceState,
        AuthType => KnownAttributes.AuthType,
        AuthId => KnownAttributes.AuthId,
        _ => null,
    };

    /// <summary>The header of an attribute in binary mode: <c>content-type</c> for datacontenttype, else <c>ce_</c> + name (constant strings for known ones).</summary>
    internal static string Of(string attributeName) => attributeName switch
    {
        "datacontenttype" => ContentType,
        "id" => Id,
        "source" => Source,
        "type" => Type,
        "subject" => Subject,
        "time" => Time,
        "dataschema" => DataSchema,
        "partitionkey" => PartitionKey,
        "traceparent" => TraceParent,
        "tracestate" => TraceState,
        "authtype" => AuthType,
        "authid" => AuthId,
        _ => Prefix + attributeName,
    };
}
