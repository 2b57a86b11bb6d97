using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using UserAudit.CloudEvents;
using Xunit;

namespace UserAudit.Tests.CloudEvents;

/// <summary>
/// The formatter's short way through <c>application/json</c> data gives what the SDK's own JSON
/// formatter gives, for that content type and for every other one it hands on.
/// </summary>
public sealed class JsonDataFormatterTests
{
    private static readonly JsonEventFormatter Sdk = new();

    public static TheoryData<string?, string> Bodies => new()
    {
        { "application/json", """{"id":"u-1","changedFields":["name"],"n":1.5e3,"s":"Zoë ✓"}""" },
        { "application/json", "[1,2,3]" },
        { "application/json", "\"text\"" },
        { "application/json", "" },
        { null, """{"a":null}""" },
        { null, "" },
        { "application/json; charset=utf-8", """{"a":1}""" },
        { "Application/JSON", """{"a":1}""" },
        { "application/cloudevents+json", """{"a":1}""" },
        { "text/plain", "plain text ✓" },
        { "application/octet-stream", "\u0001\u0002" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Binary_mode_data_decodes_as_the_SDK_decodes_it(string? contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var ours = Event(contentType);
        var theirs = Event(contentType);

        CloudEventJson.Formatter.DecodeBinaryModeEventData(bytes, ours);
        Sdk.DecodeBinaryModeEventData(bytes, theirs);

        Assert.Equal(Describe(theirs.Data), Describe(ours.Data));
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Binary_mode_data_encodes_as_the_SDK_encodes_it(string? contentType, string body)
    {
        var decoded = Event(contentType);
        Sdk.DecodeBinaryModeEventData(Encoding.UTF8.GetBytes(body), decoded);

        Assert.Equal(Sdk.EncodeBinaryModeEventData(decoded).ToArray(), CloudEventJson.Formatter.EncodeBinaryModeEventData(decoded).ToArray());
    }

    [Fact]
    public void Objects_serialize_as_the_SDK_serializes_them_and_an_incomplete_event_is_refused_alike()
    {
        var cloudEvent = Event("application/json");
        cloudEvent.Data = new Dictionary<string, object> { ["id"] = "u-1", ["when"] = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero) };
        Assert.Equal(Sdk.EncodeBinaryModeEventData(cloudEvent).ToArray(), CloudEventJson.Formatter.EncodeBinaryModeEventData(cloudEvent).ToArray());

        var incomplete = new CloudEvent { Id = "x", Type = "t", DataContentType = "application/json", Data = new { a = 1 } };
        Assert.Equal(
            Assert.ThrowsAny<ArgumentException>(() => Sdk.EncodeBinaryModeEventData(incomplete)).GetType(),
            Assert.ThrowsAny<ArgumentException>(() => CloudEventJson.Formatter.EncodeBinaryModeEventData(incomplete)).GetType());
    }

    [Fact]
    public void Malformed_json_data_is_refused_alike()
    {
        var bytes = "{\"a\":"u8.ToArray();
        Assert.Equal(
            Assert.ThrowsAny<JsonException>(() => Sdk.DecodeBinaryModeEventData(bytes, Event("application/json"))).GetType(),
            Assert.ThrowsAny<JsonException>(() => CloudEventJson.Formatter.DecodeBinaryModeEventData(bytes, Event("application/json"))).GetType());
    }

    private static CloudEvent Event(string? contentType) => new()
    {
        Id = "e-1",
        Source = new Uri("urn:useraudit-tests:formatter"),
        Type = "org.useraudit.tests.formatted.v1",
        DataContentType = contentType,
    };

    private static string Describe(object? data) => data switch
    {
        null => "null",
        JsonElement element => "json:" + element.GetRawText(),
        string text => "text:" + text,
        byte[] bytes => "bytes:" + Convert.ToHexString(bytes),
        _ => "other:" + data.GetType().Name,
    };
}
