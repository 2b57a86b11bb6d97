using CloudNative.CloudEvents;
using CsCheck;
using UserAudit.CloudEvents;
using UserAudit.CloudEvents.Core;
using UserAudit.CloudEvents.Http;
using UserAudit.CloudEvents.Kafka;
using Xunit;

namespace UserAudit.Tests.CloudEvents;

/// <summary>
/// System.Uri accepts text RFC 3986 does not (non-ASCII, spaces, a bare '%'), and our decoders
/// refuse such text: every encoder escapes it, so what a binding sends its decoder accepts.
/// </summary>
public class UriWireEncodingTests
{
    private static readonly CloudEventFormatter Formatter = CloudEventJson.Formatter;

    // Pieces that RFC 3986 refuses in a URI-reference, between pieces it allows.
    private static readonly string[] Pieces = ["a", "Z", "9", "-", "/", "?", "=", "&", "#", "é", "日本", "😀", " ", "%", "%41", "%zz", "\"", "<", ">", "{", "|", "\\", "^", "`", "\u00A0"];

    private static readonly Gen<string> Path = Gen.OneOf(Pieces).Array[1, 8].Select(parts => string.Concat(parts));

    private static readonly Gen<Uri> AbsoluteUnicodeUri =
        Path.Select(path => new Uri("https://users.example/" + path.Replace("#", "", StringComparison.Ordinal)
            .Replace("?", "", StringComparison.Ordinal), UriKind.Absolute));

    private static readonly Gen<Uri> RelativeUnicodeReference =
        Path.Select(path => new Uri("/" + path.TrimStart('/').Replace("\\", "", StringComparison.Ordinal), UriKind.Relative));

    private static readonly Gen<(Uri Source, Uri Schema)> Uris = Gen.Select(
        Gen.OneOf(AbsoluteUnicodeUri, RelativeUnicodeReference), AbsoluteUnicodeUri, (source, schema) => (source, schema));

    private static CloudEvent Event(Uri source, Uri schema) => new()
    {
        Id = "1",
        Source = source,
        Type = "org.example.test",
        DataSchema = schema,
        DataContentType = "application/json",
        Data = System.Text.Json.JsonDocument.Parse("{\"a\":1}").RootElement,
    };

    private static void AssertSentAsEscaped(Uri original, Uri decoded)
    {
        Assert.True(UriReference.IsValid(decoded.OriginalString));
        Assert.Equal(UriReference.Escape(original.OriginalString), decoded.OriginalString);
    }

    [Theory]
    [InlineData(ContentMode.Binary)]
    [InlineData(ContentMode.Structured)]
    public void A_unicode_source_and_schema_round_trip_through_kafka_as_escaped_uris(ContentMode mode)
    {
        Uris.Sample(uris =>
        {
            var decoded = Event(uris.Source, uris.Schema).ToKafkaMessage(mode, Formatter).ToCloudEvent(Formatter);

            AssertSentAsEscaped(uris.Source, decoded.Source!);
            AssertSentAsEscaped(uris.Schema, decoded.DataSchema!);
        }, iter: 300);
    }

    [Theory]
    [InlineData(ContentMode.Binary)]
    [InlineData(ContentMode.Structured)]
    public async Task A_unicode_source_and_schema_round_trip_through_http_as_escaped_uris(ContentMode mode)
    {
        await Uris.SampleAsync(async uris =>
        {
            var request = await HttpRequests.FromContentAsync(Event(uris.Source, uris.Schema).ToHttpContent(mode, Formatter));

            var decoded = Assert.Single(await request.ReadCloudEventsAsync(Formatter, 1 << 20, TestContext.Current.CancellationToken));

            AssertSentAsEscaped(uris.Source, decoded.Source!);
            AssertSentAsEscaped(uris.Schema, decoded.DataSchema!);
        }, iter: 200);
    }

    [Fact]
    public async Task A_unicode_source_round_trips_in_an_http_batch()
    {
        await Uris.SampleAsync(async uris =>
        {
            var request = await HttpRequests.FromContentAsync(new[] { Event(uris.Source, uris.Schema) }.ToHttpBatchContent(Formatter));

            var decoded = Assert.Single(await request.ReadCloudEventsAsync(Formatter, 1 << 20, TestContext.Current.CancellationToken));

            AssertSentAsEscaped(uris.Source, decoded.Source!);
        }, iter: 100);
    }

    [Fact]
    public void The_issue_example_source_is_sent_percent_encoded_and_the_callers_event_is_not_changed()
    {
        var source = new Uri("https://users.example/café");
        var schema = new Uri("https://schemas.example/my schemas/user.json");
        var original = Event(source, schema);

        var decoded = original.ToKafkaMessage(ContentMode.Structured, Formatter).ToCloudEvent(Formatter);

        Assert.Equal("https://users.example/caf%C3%A9", decoded.Source!.OriginalString);
        Assert.Equal("https://schemas.example/my%20schemas/user.json", decoded.DataSchema!.OriginalString);
        Assert.Equal("https://users.example/café", original.Source!.OriginalString);
        // System.Uri reads the escaped form as the same URI.
        Assert.Equal(source, decoded.Source);
    }

    [Fact]
    public void Escaping_is_idempotent_and_leaves_valid_references_unchanged()
    {
        Gen.OneOf(Path, Gen.String).Sample(text =>
        {
            var escaped = UriReference.Escape(text);

            Assert.True(UriReference.IsValid(escaped));
            Assert.Same(escaped, UriReference.Escape(escaped));
            if (UriReference.IsValid(text))
            {
                Assert.Same(text, escaped);
            }
        }, iter: 2000);
    }

    [Theory]
    [InlineData("100%", "100%25")]
    [InlineData("a%41b", "a%41b")]
    [InlineData("a b", "a%20b")]
    [InlineData("é", "%C3%A9")]
    [InlineData("😀", "%F0%9F%98%80")]
    public void Escape_encodes_what_rfc_3986_refuses(string text, string expected) =>
        Assert.Equal(expected, UriReference.Escape(text));

    [Fact]
    public void An_unpaired_surrogate_is_escaped_as_the_replacement_character() =>
        // A Fact, not InlineData: test-case serialization would replace the lone surrogate itself.
        Assert.Equal("%EF%BF%BDx", UriReference.Escape("\ud800x"));
}
