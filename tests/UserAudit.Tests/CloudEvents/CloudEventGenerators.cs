using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Extensions;
using CsCheck;

namespace UserAudit.Tests.CloudEvents;

/// <summary>
/// A randomly generated event, kept as a recipe so that every use builds a fresh, unshared
/// <see cref="CloudEvent"/> together with the extension definitions that type it.
/// </summary>
internal sealed record EventRecipe(
    string Id,
    string Source,
    string Type,
    string? Subject,
    DateTimeOffset? Time,
    string? DataSchema,
    string? PartitionKey,
    (int Kind, object Value)[] Extensions,
    int DataKind,
    string Text,
    byte[] Bytes)
{
    private static readonly CloudEventAttributeType[] ExtensionTypes =
    [
        CloudEventAttributeType.String,
        CloudEventAttributeType.Integer,
        CloudEventAttributeType.Boolean,
        CloudEventAttributeType.Uri,
        CloudEventAttributeType.UriReference,
        CloudEventAttributeType.Timestamp,
        CloudEventAttributeType.Binary,
    ];

    public CloudEventAttribute[] ExtensionDefinitions() =>
        [.. Extensions.Select((e, i) => CloudEventAttribute.CreateExtension($"ext{i}{e.Kind}", ExtensionTypes[e.Kind]))];

    public CloudEvent Build()
    {
        var definitions = ExtensionDefinitions();
        var cloudEvent = new CloudEvent(definitions)
        {
            Id = Id,
            Source = new Uri(Source, UriKind.RelativeOrAbsolute),
            Type = Type,
            Subject = Subject,
            Time = Time,
            DataSchema = DataSchema is null ? null : new Uri(DataSchema),
        };
        if (PartitionKey is not null)
        {
            cloudEvent[Partitioning.PartitionKeyAttribute] = PartitionKey;
        }
        for (int i = 0; i < definitions.Length; i++)
        {
            cloudEvent[definitions[i]] = Extensions[i].Value;
        }
        switch (DataKind)
        {
            case 1:
                cloudEvent.DataContentType = "application/json";
                cloudEvent.Data = JsonSerializer.SerializeToElement(new { id = Id, name = Text, n = Bytes.Length });
                break;
            case 2:
                cloudEvent.DataContentType = "text/plain; charset=utf-8";
                cloudEvent.Data = Text;
                break;
            case 3:
                cloudEvent.DataContentType = "application/octet-stream";
                cloudEvent.Data = Bytes;
                break;
        }
        return cloudEvent;
    }
}

internal static class CloudEventGenerators
{
    // Pieces that exercise multi-byte UTF-8, surrogate pairs, spaces, quotes and percent signs.
    private static readonly string[] Fragments = ["a", "Z", "0", "9", "-", "_", ".", " ", "é", "日本", "😀", "€", "~", "%", "\"", ":", "/", "=", ",", ";"];

    public static Gen<string> Text(int minFragments) =>
        Gen.OneOf(Fragments).Array[minFragments, 10].Select(parts => string.Concat(parts));

    public static readonly Gen<string> UriReference = Gen.OneOf(
        "/user-service", "/a/b%20c", "relative/path", "https://example.com/users?x=1#frag", "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", "//authority/only");

    public static readonly Gen<string> AbsoluteUri = Gen.OneOf(
        "https://example.com/schemas/user.json", "urn:example:user:v1", "http://localhost:8080/x?y=z");

    public static readonly Gen<DateTimeOffset> Time =
        Gen.Select(
            Gen.Long[new DateTime(2000, 1, 1).Ticks, new DateTime(2100, 1, 1).Ticks],
            Gen.Int[-14 * 60, 14 * 60],
            (ticks, minutes) => new DateTimeOffset(ticks, TimeSpan.FromMinutes(minutes)));

    private static readonly Gen<(int Kind, object Value)> ExtensionValue =
        Gen.Int[0, 6].SelectMany<int, (int, object)>(kind => kind switch
        {
            0 => Text(0).Select(v => (kind, (object)v)),
            1 => Gen.Int.Select(v => (kind, (object)v)),
            2 => Gen.Bool.Select(v => (kind, (object)v)),
            3 => AbsoluteUri.Select(v => (kind, (object)new Uri(v))),
            4 => UriReference.Select(v => (kind, (object)new Uri(v, UriKind.RelativeOrAbsolute))),
            5 => Time.Select(v => (kind, (object)v)),
            _ => Gen.Byte.Array[0, 16].Select(v => (kind, (object)v)),
        });

    private static Gen<T?> Optional<T>(Gen<T> gen) where T : class =>
        Gen.Select(Gen.Bool, gen, (present, value) => present ? value : null);

    public static readonly Gen<EventRecipe> Event =
        Gen.Select(
            Gen.Select(Text(1), UriReference, Text(1), Optional(Text(1))),
            Gen.Select(Gen.Bool, Time, Optional(AbsoluteUri), Optional(Text(1))),
            ExtensionValue.Array[0, 5],
            Gen.Int[0, 3],
            Text(1),
            Gen.Byte.Array[1, 32],
            (core, optional, extensions, dataKind, text, bytes) => new EventRecipe(
                core.Item1, core.Item2, core.Item3, core.Item4,
                optional.Item1 ? optional.Item2 : null, optional.Item3, optional.Item4,
                extensions, dataKind, text, bytes));
}
