using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Xunit;

namespace UserAudit.Tests.Interop;

/// <summary>Events exchanged with the JavaScript SDK and the checks both sides must agree on.</summary>
internal static class InteropEvents
{
    public const string Type = "org.useraudit.interop.checked.v1";
    public const string DataSchema = "https://useraudit.example/schemas/interop-checked-v1.json";

    private static readonly string[] Tags = ["a", "b"];

    public static JsonEventFormatter Formatter { get; } = new();

    public static CloudEventAttribute Tenant { get; } = CloudEventAttribute.CreateExtension("tenant", CloudEventAttributeType.String);

    /// <summary>A subject nobody else uses, saying which test made it.</summary>
    public static string NewSubject(string what) => $"interop-{what}-{Guid.NewGuid():N}";

    /// <summary>An event with every optional attribute, an extension, non-ASCII data and a time finer than a millisecond.</summary>
    public static CloudEvent Rich(string subject, string source, string tenant = "acme-zoë")
    {
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0, [Tenant])
        {
            Id = Guid.NewGuid().ToString(),
            Source = new Uri(source, UriKind.RelativeOrAbsolute),
            Type = Type,
            Subject = subject,
            Time = new DateTimeOffset(2026, 1, 31, 12, 34, 56, TimeSpan.Zero).AddTicks(7_891_234),
            DataContentType = "application/json",
            DataSchema = new Uri(DataSchema),
            Data = Data(subject),
        };
        cloudEvent[Tenant] = tenant;
        return cloudEvent;
    }

    /// <summary>The data every interop event carries: nested, with numbers, booleans, null and non-ASCII text.</summary>
    public static JsonElement Data(string subject) => JsonSerializer.SerializeToElement(new
    {
        subject,
        greeting = "Grüße, 世界",
        count = 3,
        ratio = 0.25,
        active = true,
        missing = (string?)null,
        tags = Tags,
        nested = new { level = 2 },
    });

    /// <summary>The attributes of an event the JavaScript SDK builds (its <c>new CloudEvent(...)</c> argument).</summary>
    public static JsonObject JavaScriptEvent(string subject, string source) => new()
    {
        ["id"] = Guid.NewGuid().ToString(),
        ["source"] = source,
        ["type"] = Type,
        ["subject"] = subject,
        ["time"] = "2026-01-31T12:34:56.789Z",
        ["datacontenttype"] = "application/json",
        ["dataschema"] = DataSchema,
        ["tenant"] = "acme",
        ["data"] = JsonNode.Parse(Data(subject).GetRawText()),
    };

    /// <summary>
    /// Asserts that the JavaScript SDK read <paramref name="expected"/> (as JSON, from the SDK's
    /// <c>toJSON()</c>): same attributes, same data. The SDK keeps times as JavaScript dates, so
    /// it has them to the millisecond only.
    /// </summary>
    public static void AssertReadByJavaScript(CloudEvent expected, JsonElement actual)
    {
        Assert.Equal("1.0", actual.GetProperty("specversion").GetString());
        Assert.Equal(expected.Id, actual.GetProperty("id").GetString());
        Assert.Equal(expected.Source!.OriginalString, actual.GetProperty("source").GetString());
        Assert.Equal(expected.Type, actual.GetProperty("type").GetString());
        Assert.Equal(expected.Subject, actual.GetProperty("subject").GetString());
        Assert.Equal(expected.DataContentType, actual.GetProperty("datacontenttype").GetString());
        Assert.Equal(expected.DataSchema?.OriginalString, actual.TryGetProperty("dataschema", out var schema) ? schema.GetString() : null);
        var time = expected.Time!.Value.ToUniversalTime();
        var milliseconds = new DateTimeOffset(time.Ticks - (time.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        Assert.Equal(milliseconds.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), actual.GetProperty("time").GetString());
        foreach (var (attribute, value) in expected.GetPopulatedAttributes().Where(a => a.Key.IsExtension))
        {
            Assert.True(actual.TryGetProperty(attribute.Name, out var extension), $"The JavaScript SDK lost extension '{attribute.Name}'.");
            Assert.Equal(attribute.Format(value), extension.GetString());
        }

        AssertSameJson((JsonElement)expected.Data!, actual.GetProperty("data"));
    }

    /// <summary>Asserts that AuditService stored the event the JavaScript SDK built from <paramref name="sent"/>, every attribute and the data.</summary>
    public static void AssertStored(JsonObject sent, JsonElement stored)
    {
        Assert.Equal("1.0", stored.GetProperty("specVersion").GetString());
        Assert.Equal((string?)sent["id"], stored.GetProperty("id").GetString());
        Assert.Equal((string?)sent["source"], stored.GetProperty("source").GetString());
        Assert.Equal((string?)sent["type"], stored.GetProperty("type").GetString());
        Assert.Equal((string?)sent["subject"], stored.GetProperty("subject").GetString());
        Assert.Equal(DateTimeOffset.Parse((string)sent["time"]!, CultureInfo.InvariantCulture), stored.GetProperty("time").GetDateTimeOffset());
        Assert.Equal((string?)sent["datacontenttype"], stored.GetProperty("dataContentType").GetString());
        Assert.Equal((string?)sent["dataschema"], stored.GetProperty("dataSchema").GetString());
        var extensions = stored.GetProperty("extensions");
        Assert.Equal((string?)sent["tenant"], extensions.TryGetProperty("tenant", out var tenant) ? tenant.GetString() : null);
        AssertSameJson(JsonSerializer.SerializeToElement(sent["data"]), stored.GetProperty("data"));
    }

    public static void AssertSameJson(JsonElement expected, JsonElement actual) =>
        Assert.True(JsonElement.DeepEquals(expected, actual), $"Data differs.\nexpected: {expected.GetRawText()}\nactual:   {actual.GetRawText()}");

    /// <summary>
    /// The audit client's default headers (the API key, once AuditService asks for one) as the
    /// scripts' <c>INTEROP_HTTP_HEADERS</c>, so they authenticate as the tests do.
    /// </summary>
    public static Dictionary<string, string> HttpHeadersOf(HttpClient client)
    {
        var headers = new JsonObject();
        foreach (var (name, values) in client.DefaultRequestHeaders.NonValidated)
        {
            headers[name] = string.Join(", ", values);
        }

        return new Dictionary<string, string> { ["INTEROP_HTTP_HEADERS"] = headers.ToJsonString() };
    }

    /// <summary>The URL of a path on the service <paramref name="client"/> talks to.</summary>
    public static string UrlOf(HttpClient client, string path) =>
        new Uri(client.BaseAddress ?? throw new InvalidOperationException("The client has no base address."), path).ToString();

    /// <summary>A media type without parameters, for comparing content types.</summary>
    public static string? MediaTypeOf(string? contentType) =>
        contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.MediaType : contentType;
}
