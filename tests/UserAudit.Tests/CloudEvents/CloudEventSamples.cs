using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Confluent.Kafka;
using Xunit;

namespace UserAudit.Tests.CloudEvents;

/// <summary>Events, messages and comparisons shared by the binding tests; every call makes fresh ids.</summary>
internal static class CloudEventSamples
{
    public static JsonEventFormatter Formatter { get; } = new();

    public static CloudEvent UserCreated(string? dataContentType = "application/json")
    {
        var userId = Guid.NewGuid();
        var cloudEvent = new CloudEvent
        {
            Id = Guid.NewGuid().ToString(),
            Source = new Uri("/user-service", UriKind.RelativeOrAbsolute),
            Type = "com.example.useraudit.user.created.v1",
            Subject = userId.ToString(),
            Time = new DateTimeOffset(2025, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(2)),
            DataContentType = dataContentType,
            Data = JsonDocument.Parse($$"""{"id":"{{userId}}"}""").RootElement.Clone(),
        };
        return cloudEvent;
    }

    /// <summary>A binary-mode message with the given headers (UTF-8 unless given as bytes).</summary>
    public static Message<string?, byte[]?> BinaryMessage(byte[]? value, params (string Key, object? Value)[] headers)
    {
        var message = new Message<string?, byte[]?> { Value = value, Headers = [] };
        foreach (var (key, headerValue) in headers)
        {
            message.Headers.Add(key, headerValue switch
            {
                null => null,
                byte[] bytes => bytes,
                string text => Encoding.UTF8.GetBytes(text),
                _ => throw new ArgumentException("header values are strings or bytes", nameof(headers)),
            });
        }
        return message;
    }

    /// <summary>The headers of a minimal valid binary-mode event, with one header set (replaced or added) or removed (when <paramref name="with"/> is null).</summary>
    public static (string, object?)[] MinimalHeaders(string? replace = null, object? with = null)
    {
        var headers = new List<(string, object?)>
        {
            ("ce_specversion", "1.0"),
            ("ce_id", Guid.NewGuid().ToString()),
            ("ce_source", "/user-service"),
            ("ce_type", "com.example.useraudit.user.created.v1"),
        };
        int index = headers.FindIndex(h => h.Item1 == replace);
        if (index >= 0)
        {
            headers.RemoveAt(index);
        }
        if (replace is not null && with is not null)
        {
            headers.Add((replace, with));
        }
        return [.. headers];
    }

    public static string? HeaderText(Headers headers, string key) =>
        headers.TryGetLastBytes(key, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>Asserts both events have the same attributes (same types and values) and the same data.</summary>
    public static void AssertEquivalent(CloudEvent expected, CloudEvent actual)
    {
        Assert.Equal(expected.SpecVersion, actual.SpecVersion);
        var expectedAttributes = expected.GetPopulatedAttributes().ToDictionary(p => p.Key.Name, p => p.Value);
        var actualAttributes = actual.GetPopulatedAttributes().ToDictionary(p => p.Key.Name, p => p.Value);
        Assert.Equal(expectedAttributes.Keys.Order(), actualAttributes.Keys.Order());
        foreach (var (name, value) in expectedAttributes)
        {
            var other = actualAttributes[name];
            switch (value)
            {
                case Uri uri:
                    Assert.Equal(uri.OriginalString, Assert.IsType<Uri>(other).OriginalString);
                    break;
                case byte[] bytes:
                    Assert.Equal(bytes, Assert.IsType<byte[]>(other));
                    break;
                case DateTimeOffset time:
                    var otherTime = Assert.IsType<DateTimeOffset>(other);
                    Assert.Equal(time, otherTime);
                    Assert.Equal(time.Offset, otherTime.Offset);
                    break;
                default:
                    Assert.Equal(value, other);
                    break;
            }
        }
        AssertSameData(expected.Data, actual.Data);
    }

    public static void AssertSameData(object? expected, object? actual)
    {
        switch (expected)
        {
            case null:
                Assert.Null(actual);
                break;
            case JsonElement json:
                Assert.Equal(JsonSerializer.Serialize(json), JsonSerializer.Serialize(Assert.IsType<JsonElement>(actual)));
                break;
            case byte[] bytes:
                Assert.Equal(bytes, Assert.IsType<byte[]>(actual));
                break;
            default:
                Assert.Equal(expected, actual);
                break;
        }
    }
}
