using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Extensions;

namespace UserAudit.CloudEvents.Core;

/// <summary>
/// The attributes every binding knows by name: the v1.0 context attributes other than
/// <c>specversion</c> and <c>datacontenttype</c> (which travel differently in each binding), and
/// the extensions the platform uses (partitioning, distributed tracing, auth context). Other
/// attribute names decode as string extensions.
/// </summary>
public static class KnownAttributes
{
    private static readonly CloudEventsSpecVersion V1 = CloudEventsSpecVersion.V1_0;

    /// <summary><c>id</c>.</summary>
    public static KnownAttributeEntry Id { get; } = new(V1.IdAttribute, 1 << 0);

    /// <summary><c>source</c>.</summary>
    public static KnownAttributeEntry Source { get; } = new(V1.SourceAttribute, 1 << 1);

    /// <summary><c>type</c>.</summary>
    public static KnownAttributeEntry Type { get; } = new(V1.TypeAttribute, 1 << 2);

    /// <summary><c>subject</c>.</summary>
    public static KnownAttributeEntry Subject { get; } = new(V1.SubjectAttribute, 1 << 3);

    /// <summary><c>time</c>.</summary>
    public static KnownAttributeEntry Time { get; } = new(V1.TimeAttribute, 1 << 4);

    /// <summary><c>dataschema</c>.</summary>
    public static KnownAttributeEntry DataSchema { get; } = new(V1.DataSchemaAttribute, 1 << 5);

    /// <summary>The Partitioning extension's <c>partitionkey</c>.</summary>
    public static KnownAttributeEntry PartitionKey { get; } = new(Partitioning.PartitionKeyAttribute, 1 << 6);

    /// <summary>The distributed tracing extension's <c>traceparent</c>.</summary>
    public static KnownAttributeEntry TraceParent { get; } = new(DistributedTracingExtension.TraceParent, 1 << 7);

    /// <summary>The distributed tracing extension's <c>tracestate</c>.</summary>
    public static KnownAttributeEntry TraceState { get; } = new(DistributedTracingExtension.TraceState, 1 << 8);

    /// <summary>The Auth Context extension's <c>authtype</c>.</summary>
    public static KnownAttributeEntry AuthType { get; } = new(AuthContextExtension.AuthType, 1 << 9);

    /// <summary>The Auth Context extension's <c>authid</c>.</summary>
    public static KnownAttributeEntry AuthId { get; } = new(AuthContextExtension.AuthId, 1 << 10);

    /// <summary>Every known attribute.</summary>
    public static IReadOnlyList<KnownAttributeEntry> All { get; } =
        [Id, Source, Type, Subject, Time, DataSchema, PartitionKey, TraceParent, TraceState, AuthType, AuthId];

    /// <summary>The known attribute of that name, or null.</summary>
    /// <param name="attributeName">An attribute name.</param>
    // Switches on constant strings compile to length and character tests, cheaper than a hash.
    public static KnownAttributeEntry? Find(string attributeName) => attributeName switch
    {
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
        _ => null,
    };

    /// <summary>A map from header name (<paramref name="prefix"/> + attribute name) to the known attribute.</summary>
    /// <param name="prefix">The binding's header prefix, for example <c>ce-</c>.</param>
    /// <param name="comparer">How the binding compares header names.</param>
    public static Dictionary<string, KnownAttributeEntry> ByHeader(string prefix, StringComparer comparer)
    {
        var map = new Dictionary<string, KnownAttributeEntry>(All.Count, comparer);
        foreach (var known in All)
        {
            map.Add(prefix + known.Name, known);
        }

        return map;
    }
}
