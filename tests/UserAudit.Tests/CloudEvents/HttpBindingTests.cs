using System.Text;
using CloudNative.CloudEvents;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using UserAudit.CloudEvents;
using UserAudit.CloudEvents.Http;
using Xunit;
using static UserAudit.Tests.CloudEvents.CloudEventSamples;

namespace UserAudit.Tests.CloudEvents;

public class HttpBindingTests
{
    private const long Limit = 64 * 1024;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static HttpRequest Request(byte[] body, string? contentType, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = body.Length;
        foreach (var (name, value) in headers)
        {
            context.Request.Headers.Append(name, value);
        }
        return context.Request;
    }

    private static (string, string)[] MinimalHeaders(string? replace = null, string? with = null)
    {
        var headers = new List<(string, string)>
        {
            ("ce-specversion", "1.0"),
            ("ce-id", Guid.NewGuid().ToString()),
            ("ce-source", "/user-service"),
            ("ce-type", "com.example.useraudit.user.created.v1"),
        };
        headers.RemoveAll(h => h.Item1 == replace);
        if (replace is not null && with is not null)
        {
            headers.Add((replace, with));
        }
        return [.. headers];
    }

    private static async Task<CloudEventBindingException> RejectAsync(HttpRequest request) =>
        await Assert.ThrowsAsync<CloudEventBindingException>(() => request.ReadCloudEventsAsync(Formatter, Limit, Cancel));

    [Fact]
    public async Task Binary_mode_request_is_read_from_ce_headers_and_the_body()
    {
        var request = Request("""{"id":"42"}"""u8.ToArray(), "application/json", [.. MinimalHeaders(), ("ce-subject", "42"), ("ce-time", "2025-01-02T03:04:05Z"), ("X-Other", "ignored")]);

        var cloudEvent = Assert.Single(await request.ReadCloudEventsAsync(Formatter, Limit, Cancel));

        Assert.Equal("42", cloudEvent.Subject);
        Assert.Equal("application/json", cloudEvent.DataContentType);
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), cloudEvent.Time);
        Assert.Equal("42", ((System.Text.Json.JsonElement)cloudEvent.Data!).GetProperty("id").GetString());
        Assert.Null(cloudEvent["other"]);
    }

    [Fact]
    public async Task Binary_mode_header_names_are_case_insensitive()
    {
        var request = Request([], null, ("CE-SpecVersion", "1.0"), ("Ce-Id", "1"), ("CE-SOURCE", "/s"), ("ce-Type", "t"), ("Ce-Region", "eu"));

        var cloudEvent = Assert.Single(await request.ReadCloudEventsAsync(Formatter, Limit, Cancel));

        Assert.Equal("1", cloudEvent.Id);
        Assert.Equal("eu", cloudEvent["region"]);
    }

    [Fact]
    public async Task Binary_mode_header_values_are_percent_decoded_as_utf8()
    {
        var request = Request([], null, [.. MinimalHeaders(), ("ce-subject", "Zo%C3%AB%20%22quoted%22%20100%25")]);

        var cloudEvent = Assert.Single(await request.ReadCloudEventsAsync(Formatter, Limit, Cancel));

        Assert.Equal("Zoë \"quoted\" 100%", cloudEvent.Subject);
        Assert.Null(cloudEvent.Data);
    }

    // HTTP binding, section 3.1.3.2: header values are unescaped as RFC 7230 quoted strings first
    // (older versions of the binding sent them), then percent-decoded once.
    [Theory]
    [InlineData("\"hello world\"", "hello world")]
    [InlineData("\"say \\\"hi\\\"\"", "say \"hi\"")]
    [InlineData("\"back\\\\slash\"", "back\\slash")]
    [InlineData("\"Zo%C3%AB%20100%25\"", "Zoë 100%")]
    public async Task Binary_mode_quoted_header_values_are_unquoted_then_percent_decoded(string header, string subject)
    {
        var request = Request([], null, [.. MinimalHeaders("ce-specversion", "\"1.0\""), ("ce-subject", header)]);

        var cloudEvent = Assert.Single(await request.ReadCloudEventsAsync(Formatter, Limit, Cancel));

        Assert.Equal(subject, cloudEvent.Subject);
    }

    [Fact]
    public async Task Binary_mode_encoding_percent_encodes_space_quote_percent_and_non_ascii()
    {
        var cloudEvent = UserCreated();
        cloudEvent.Subject = "Zoë \"q\" 100%";

        using var content = cloudEvent.ToHttpContent(ContentMode.Binary, Formatter);

        Assert.Equal("Zo%C3%AB%20%22q%22%20100%25", Assert.Single(content.Headers.GetValues("ce-subject")));
        Assert.Equal("application/json", content.Headers.ContentType!.MediaType);
        Assert.Equal("1.0", Assert.Single(content.Headers.GetValues("ce-specversion")));
    }

    [Theory]
    [InlineData("%zz")]
    [InlineData("abc%4")]
    [InlineData("%")]
    [InlineData("\"never closed")]
    [InlineData("\"closed\" then more")]
    [InlineData("\"escaped close\\\"")]
    public async Task Malformed_percent_encoding_or_quoting_is_rejected_naming_the_header(string value)
    {
        var error = await RejectAsync(Request([], null, [.. MinimalHeaders(), ("ce-subject", value)]));

        Assert.Equal(CloudEventBindingError.InvalidAttributeValue, error.Error);
        Assert.Equal("ce-subject", error.Member);
    }

    [Fact]
    public async Task Percent_encoded_invalid_utf8_is_rejected_as_invalid_utf8()
    {
        var error = await RejectAsync(Request([], null, [.. MinimalHeaders(), ("ce-subject", "a%C3%28")]));

        Assert.Equal(CloudEventBindingError.InvalidUtf8Header, error.Error);
        Assert.Equal("ce-subject", error.Member);
    }

    [Fact]
    public async Task Raw_non_ascii_in_a_ce_header_is_rejected_because_it_must_be_percent_encoded()
    {
        var error = await RejectAsync(Request([], null, [.. MinimalHeaders(), ("ce-subject", "Zoë")]));

        Assert.Equal(CloudEventBindingError.InvalidAttributeValue, error.Error);
        Assert.Equal("ce-subject", error.Member);
    }

    [Theory]
    [InlineData("ce-id")]
    [InlineData("ce-source")]
    [InlineData("ce-type")]
    public async Task Missing_required_attribute_is_rejected_naming_its_header(string header)
    {
        var error = await RejectAsync(Request([], null, MinimalHeaders(header)));

        Assert.Equal(CloudEventBindingError.MissingRequiredAttribute, error.Error);
        Assert.Equal(header, error.Member);
        Assert.Contains(header, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_specversion_is_unsupported()
    {
        var error = await RejectAsync(Request([], null, MinimalHeaders("ce-specversion", "0.3")));

        Assert.Equal(CloudEventBindingError.UnsupportedSpecVersion, error.Error);
        Assert.Equal("ce-specversion", error.Member);
    }

    [Fact]
    public async Task Request_without_specversion_or_cloudevents_content_type_is_not_a_cloud_event()
    {
        var error = await RejectAsync(Request("{}"u8.ToArray(), "application/json", ("ce-id", "1")));

        Assert.Equal(CloudEventBindingError.NotACloudEvent, error.Error);
    }

    [Fact]
    public async Task Bad_time_format_is_rejected_without_echoing_the_value()
    {
        var error = await RejectAsync(Request([], null, [.. MinimalHeaders(), ("ce-time", "02/01/2025")]));

        Assert.Equal(CloudEventBindingError.InvalidAttributeValue, error.Error);
        Assert.Equal("ce-time", error.Member);
        Assert.Contains("RFC 3339", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("02/01/2025", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Source_that_is_not_a_uri_reference_is_rejected()
    {
        var error = await RejectAsync(Request([], null, MinimalHeaders("ce-source", "not%20a%20uri because spaces")));

        Assert.Equal(CloudEventBindingError.InvalidAttributeValue, error.Error);
        Assert.Equal("ce-source", error.Member);
    }

    [Fact]
    public async Task Repeated_ce_header_is_rejected_as_duplicate()
    {
        var error = await RejectAsync(Request([], null, [.. MinimalHeaders(), ("ce-subject", "a"), ("ce-subject", "b")]));

        Assert.Equal(CloudEventBindingError.DuplicateHeader, error.Error);
    }

    [Fact]
    public async Task Body_over_the_limit_is_rejected_by_content_length()
    {
        var request = Request(new byte[100], "application/json", MinimalHeaders());

        var error = await Assert.ThrowsAsync<CloudEventBindingException>(() => request.ReadCloudEventsAsync(Formatter, 99, Cancel));

        Assert.Equal(CloudEventBindingError.BodyTooLarge, error.Error);
        Assert.Contains("99", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(10L)]
    public async Task Body_over_the_limit_is_rejected_while_reading_whatever_content_length_claims(long? claimedLength)
    {
        var request = Request(Encoding.UTF8.GetBytes(new string('1', 5000)), "application/json", MinimalHeaders());
        request.ContentLength = claimedLength;

        var error = await Assert.ThrowsAsync<CloudEventBindingException>(() => request.ReadCloudEventsAsync(Formatter, 4096, Cancel));

        Assert.Equal(CloudEventBindingError.BodyTooLarge, error.Error);
        Assert.Equal("body", error.Member);
    }

    [Fact]
    public async Task Body_exactly_at_the_limit_is_accepted()
    {
        byte[] body = Encoding.UTF8.GetBytes(new string('7', 300));
        var request = Request(body, "application/json", MinimalHeaders());
        request.ContentLength = null;

        var cloudEvent = Assert.Single(await request.ReadCloudEventsAsync(Formatter, body.Length, Cancel));

        Assert.Equal(System.Text.Json.JsonValueKind.Number, ((System.Text.Json.JsonElement)cloudEvent.Data!).ValueKind);
    }

    [Fact]
    public async Task Structured_mode_request_is_decoded_and_validated()
    {
        var original = UserCreated();
        using var content = original.ToHttpContent(ContentMode.Structured, Formatter);

        Assert.Equal("application/cloudevents+json", content.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", content.Headers.ContentType.CharSet);
        var decoded = Assert.Single(await (await HttpRequests.FromContentAsync(content)).ReadCloudEventsAsync(Formatter, Limit, Cancel));
        AssertEquivalent(original, decoded);
    }

    [Theory]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s"}""", CloudEventBindingError.MissingRequiredAttribute, "type")]
    [InlineData("""{"id":"1","source":"/s","type":"t"}""", CloudEventBindingError.MissingRequiredAttribute, "specversion")]
    [InlineData("""{"specversion":"0.3","id":"1","source":"/s","type":"t"}""", CloudEventBindingError.UnsupportedSpecVersion, "specversion")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"not a time"}""", CloudEventBindingError.InvalidAttributeValue, "time")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"a b","type":"t"}""", CloudEventBindingError.InvalidAttributeValue, "source")]
    [InlineData("""{"specversion":"1.0","id":1,"source":"/s","type":"t"}""", CloudEventBindingError.InvalidAttributeValue, "id")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","data":}""", CloudEventBindingError.InvalidData, "body")]
    public async Task Structured_mode_errors_name_the_attribute_and_the_problem(string json, CloudEventBindingError expected, string member)
    {
        var request = Request(Encoding.UTF8.GetBytes(json), "application/cloudevents+json; charset=utf-8");

        var error = await RejectAsync(request);

        Assert.Equal(expected, error.Error);
        Assert.Equal(member, error.Member);
        Assert.Contains($"'{member}'", error.Message, StringComparison.Ordinal);
    }

    // Found by the hostile-request storm (issue 7): these answered 500 instead of 400.
    [Theory]
    [InlineData("id", new byte[] { 0xFF })]
    [InlineData("source", new byte[] { 0xC0, 0xAF })]
    [InlineData("type", new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData("subject", new byte[] { 0xE2, 0x82 })]
    [InlineData("myext", new byte[] { 0x80 })]
    public async Task Structured_mode_attribute_that_is_not_utf8_is_rejected_naming_it(string attribute, byte[] invalid)
    {
        var members = new Dictionary<string, string> { ["specversion"] = "1.0", ["id"] = "1", ["source"] = "/s", ["type"] = "t", [attribute] = "x" };
        var json = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(members));
        var at = json.AsSpan().IndexOf(Encoding.UTF8.GetBytes($"\"{attribute}\":\"x\"")) + attribute.Length + 4;
        byte[] body = [.. json[..at], .. invalid, .. json[at..]];

        var error = await RejectAsync(Request(body, "application/cloudevents+json"));

        Assert.Equal(CloudEventBindingError.InvalidAttributeValue, error.Error);
        Assert.Equal(attribute, error.Member);
        Assert.Contains("not valid Unicode", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/cloudevents+json", """{"specversion":"1.0","id":"\ud800","source":"/s","type":"t"}""")]
    [InlineData("application/cloudevents-batch+json", """[{"specversion":"1.0","id":"1","source":"/s","type":"t"},{"specversion":"1.0","id":"\udc00x","source":"/s","type":"t"}]""")]
    public async Task Attribute_escaping_an_unpaired_surrogate_is_rejected_naming_it(string contentType, string json)
    {
        var error = await RejectAsync(Request(Encoding.UTF8.GetBytes(json), contentType));

        Assert.Equal(CloudEventBindingError.InvalidAttributeValue, error.Error);
        Assert.Equal("id", error.Member);
    }

    [Fact]
    public async Task Json_data_that_is_not_utf8_is_invalid_data_in_every_content_mode()
    {
        byte[] data = [.. "{\"s\":\"a"u8, 0xFF, .. "\"}"u8];
        byte[] structured = [.. """{"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":"application/json","data":"""u8, .. data, .. "}"u8];
        byte[] batch = [.. "["u8, .. structured, .. "]"u8];

        var binary = await RejectAsync(Request(data, "application/json", MinimalHeaders()));
        var inStructured = await RejectAsync(Request(structured, "application/cloudevents+json"));
        var inBatch = await RejectAsync(Request(batch, "application/cloudevents-batch+json"));

        Assert.Equal((CloudEventBindingError.InvalidData, "body"), (binary.Error, binary.Member));
        Assert.Equal((CloudEventBindingError.InvalidData, "data"), (inStructured.Error, inStructured.Member));
        Assert.Equal((CloudEventBindingError.InvalidData, "data"), (inBatch.Error, inBatch.Member));
        Assert.Contains("not valid UTF-8", binary.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_the_server_cannot_read_is_a_400_bad_request_not_an_io_error()
    {
        // Kestrel throws a plain IOException for a chunk size that overflows.
        var request = Request([], "application/cloudevents+json");
        request.Body = new UnreadableStream();

        var error = await Assert.ThrowsAsync<BadHttpRequestException>(() => request.ReadCloudEventsAsync(Formatter, Limit, Cancel));

        Assert.Equal(StatusCodes.Status400BadRequest, error.StatusCode);
        Assert.Contains("Bad chunk size data.", error.Message, StringComparison.Ordinal);
    }

    private sealed class UnreadableStream : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new IOException("Bad chunk size data.", new OverflowException());
    }

    [Fact]
    public async Task Batch_mode_request_gives_every_event_in_order()
    {
        CloudEvent[] originals = [UserCreated(), UserCreated(), UserCreated()];
        using var content = originals.ToHttpBatchContent(Formatter);

        Assert.Equal("application/cloudevents-batch+json", content.Headers.ContentType!.MediaType);
        var decoded = await (await HttpRequests.FromContentAsync(content)).ReadCloudEventsAsync(Formatter, Limit, Cancel);

        Assert.Equal(3, decoded.Count);
        for (int i = 0; i < originals.Length; i++)
        {
            AssertEquivalent(originals[i], decoded[i]);
        }
    }

    [Fact]
    public async Task Batch_with_an_invalid_event_is_rejected_naming_the_attribute()
    {
        var request = Request("""[{"specversion":"1.0","id":"1","source":"/s","type":"t"},{"specversion":"1.0","id":"","source":"/s","type":"t"}]"""u8.ToArray(), "application/cloudevents-batch+json");

        var error = await RejectAsync(request);

        Assert.Equal(CloudEventBindingError.InvalidAttributeValue, error.Error);
        Assert.Equal("id", error.Member);
    }

    [Fact]
    public async Task Batch_over_the_limit_is_rejected()
    {
        using var content = new[] { UserCreated(), UserCreated() }.ToHttpBatchContent(Formatter);
        var request = await HttpRequests.FromContentAsync(content);

        var error = await Assert.ThrowsAsync<CloudEventBindingException>(() => request.ReadCloudEventsAsync(Formatter, 50, Cancel));

        Assert.Equal(CloudEventBindingError.BodyTooLarge, error.Error);
    }

    [Fact]
    public void Encoding_an_event_without_a_source_names_the_attribute()
    {
        var cloudEvent = UserCreated();
        cloudEvent.Source = null;

        var error = Assert.Throws<CloudEventBindingException>(() => cloudEvent.ToHttpContent(ContentMode.Binary, Formatter));

        Assert.Equal(CloudEventBindingError.MissingRequiredAttribute, error.Error);
        Assert.Equal("source", error.Member);
    }

    [Theory]
    [InlineData("application/json;charset=utf-8")]
    [InlineData("text/plain;charset=utf-8")]
    public async Task Binary_mode_sends_datacontenttype_as_written_and_it_arrives_unchanged(string dataContentType)
    {
        var original = UserCreated(dataContentType);
        if (dataContentType.StartsWith("text/", StringComparison.Ordinal))
        {
            original.Data = "plain text";
        }

        using var content = original.ToHttpContent(ContentMode.Binary, Formatter);

        var decoded = Assert.Single(await (await HttpRequests.FromContentAsync(content)).ReadCloudEventsAsync(Formatter, Limit, Cancel));

        Assert.Equal(dataContentType, decoded.DataContentType);
    }

    [Fact]
    public async Task Any_event_round_trips_over_http_in_binary_and_structured_mode()
    {
        await Gen.Select(CloudEventGenerators.Event, Gen.OneOf(ContentMode.Binary, ContentMode.Structured)).SampleAsync(async (recipe, mode) =>
        {
            var original = recipe.Build();
            using var content = original.ToHttpContent(mode, Formatter);

            var decoded = Assert.Single(await (await HttpRequests.FromContentAsync(content)).ReadCloudEventsAsync(Formatter, Limit, Cancel, recipe.ExtensionDefinitions()));

            AssertEquivalent(original, decoded);
        }, iter: 200);
    }

    [Fact]
    public async Task Any_batch_round_trips_over_http()
    {
        await CloudEventGenerators.Event.Array[1, 4].SampleAsync(async recipes =>
        {
            var originals = recipes.Select(r => r.Build()).ToArray();
            var definitions = recipes.SelectMany(r => r.ExtensionDefinitions()).DistinctBy(d => d.Name).ToArray();
            using var content = originals.ToHttpBatchContent(Formatter);

            var decoded = await (await HttpRequests.FromContentAsync(content)).ReadCloudEventsAsync(Formatter, Limit, Cancel, definitions);

            Assert.Equal(originals.Length, decoded.Count);
            for (int i = 0; i < originals.Length; i++)
            {
                AssertEquivalent(originals[i], decoded[i]);
            }
        }, iter: 100);
    }
}
