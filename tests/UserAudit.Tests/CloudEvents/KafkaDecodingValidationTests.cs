using System.Text;
using CloudNative.CloudEvents;
using UserAudit.CloudEvents;
using UserAudit.CloudEvents.Kafka;
using Xunit;
using static UserAudit.Tests.CloudEvents.CloudEventSamples;

namespace UserAudit.Tests.CloudEvents;

public class KafkaDecodingValidationTests
{
    private static CloudEventBindingException Reject(params (string, object?)[] headers) =>
        Assert.Throws<CloudEventBindingException>(() => BinaryMessage(null, headers).ToCloudEvent(Formatter));

    [Fact]
    public void Message_without_specversion_or_cloudevents_content_type_is_not_a_cloud_event()
    {
        var error = Reject(("ce_id", "1"), ("content-type", "application/json"));

        Assert.Equal(CloudEventBindingError.NotACloudEvent, error.Error);
        Assert.Contains("ce_specversion", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Message_without_any_headers_is_not_a_cloud_event()
    {
        var message = new Confluent.Kafka.Message<string?, byte[]?> { Value = [1, 2] };

        var error = Assert.Throws<CloudEventBindingException>(() => message.ToCloudEvent(Formatter));

        Assert.Equal(CloudEventBindingError.NotACloudEvent, error.Error);
    }

    [Theory]
    [InlineData("0.3")]
    [InlineData("1.1")]
    [InlineData("")]
    [InlineData("1.0 ")]
    public void Specversion_other_than_1_0_is_unsupported_and_names_ce_specversion(string version)
    {
        var error = Reject(MinimalHeaders("ce_specversion", version));

        Assert.Equal(CloudEventBindingError.UnsupportedSpecVersion, error.Error);
        Assert.Equal("ce_specversion", error.Member);
        Assert.Contains("'ce_specversion'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ce_id")]
    [InlineData("ce_source")]
    [InlineData("ce_type")]
    public void Missing_required_attribute_is_rejected_naming_its_header(string header)
    {
        var error = Reject(MinimalHeaders(header));

        Assert.Equal(CloudEventBindingError.MissingRequiredAttribute, error.Error);
        Assert.Equal(header, error.Member);
        Assert.Contains(header, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ce_id")]
    [InlineData("ce_source")]
    [InlineData("ce_type")]
    [InlineData("ce_subject")]
    public void Empty_required_or_subject_attribute_is_rejected_naming_its_header_and_saying_it_is_empty(string header)
    {
        var error = Reject(MinimalHeaders(header, ""));

        Assert.Equal(CloudEventBindingError.InvalidAttributeValue, error.Error);
        Assert.Equal(header, error.Member);
        Assert.Contains("is empty", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2025-01-02")]
    [InlineData("2025-01-02 03:04:05Z")]
    [InlineData("yesterday")]
    [InlineData("2025-13-02T03:04:05Z")]
    public void Time_that_is_not_rfc3339_is_rejected_without_echoing_the_value(string time)
    {
        var error = Reject([.. MinimalHeaders(), ("ce_time", time)]);

        Assert.Equal(CloudEventBindingError.InvalidAttributeValue, error.Error);
        Assert.Equal("ce_time", error.Member);
        Assert.Equal("'ce_time' (attribute 'time') is not a valid RFC 3339 timestamp.", error.Message);
        Assert.Null(error.InnerException);
    }

    [Theory]
    [InlineData("ce_source", "has spaces in it")]
    [InlineData("ce_source", "/bad%zzescape")]
    [InlineData("ce_dataschema", "https://example.com/schema{1}")]
    [InlineData("ce_dataschema", "/relative/is/not/absolute")]
    public void Uri_attributes_must_be_well_formed_uri_references(string header, string value)
    {
        var error = Reject(MinimalHeaders(header, value));

        Assert.Equal(CloudEventBindingError.InvalidAttributeValue, error.Error);
        Assert.Equal(header, error.Member);
        Assert.DoesNotContain(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Relative_and_absolute_sources_are_both_uri_references()
    {
        var relative = BinaryMessage(null, MinimalHeaders("ce_source", "/user-service/eu")).ToCloudEvent(Formatter);
        var absolute = BinaryMessage(null, MinimalHeaders("ce_source", "https://example.com/users?x=1#f")).ToCloudEvent(Formatter);
        var urn = BinaryMessage(null, MinimalHeaders("ce_source", "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66")).ToCloudEvent(Formatter);

        Assert.Equal("/user-service/eu", relative.Source!.OriginalString);
        Assert.Equal("https://example.com/users?x=1#f", absolute.Source!.OriginalString);
        Assert.Equal("urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", urn.Source!.OriginalString);
    }

    [Theory]
    [InlineData("ce_id")]
    [InlineData("ce_subject")]
    [InlineData("ce_custom")]
    [InlineData("content-type")]
    public void Invalid_utf8_in_any_header_is_rejected_naming_the_header(string header)
    {
        byte[] invalid = [0x61, 0xC3, 0x28, 0x62];
        var error = Reject(MinimalHeaders(header, invalid));

        Assert.Equal(CloudEventBindingError.InvalidUtf8Header, error.Error);
        Assert.Equal(header, error.Member);
        Assert.DoesNotContain("\uFFFD", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_in_specversion_is_reported_as_invalid_utf8()
    {
        var error = Reject(MinimalHeaders("ce_specversion", new byte[] { 0xFF }));

        Assert.Equal(CloudEventBindingError.InvalidUtf8Header, error.Error);
        Assert.Equal("ce_specversion", error.Member);
    }

    [Fact]
    public void Valid_multibyte_utf8_header_values_are_decoded()
    {
        var decoded = BinaryMessage(null, [.. MinimalHeaders(), ("ce_subject", "Zoë 日本 😀")]).ToCloudEvent(Formatter);

        Assert.Equal("Zoë 日本 😀", decoded.Subject);
    }

    [Theory]
    [InlineData("ce_Region")]
    [InlineData("ce_my-ext")]
    [InlineData("ce_")]
    [InlineData("ce_data")]
    public void Ce_header_that_does_not_map_to_an_attribute_is_unmappable(string header)
    {
        var error = Reject([.. MinimalHeaders(), (header, "x")]);

        Assert.Equal(CloudEventBindingError.UnmappableHeader, error.Error);
        Assert.Equal(header, error.Member);
        Assert.Contains($"'{header}'", error.Message, StringComparison.Ordinal);
    }

    // The official JavaScript SDK (cloudevents 10.0.0) writes datacontenttype both as content-type
    // and as ce_datacontenttype in binary mode; found by the interop tests (tests/interop).
    [Fact]
    public void Ce_datacontenttype_that_repeats_content_type_is_accepted_as_the_javascript_sdk_writes_it()
    {
        var decoded = BinaryMessage("""{"a":1}"""u8.ToArray(),
            [.. MinimalHeaders(), ("content-type", "application/json"), ("ce_datacontenttype", "application/json")]).ToCloudEvent(Formatter);

        Assert.Equal("application/json", decoded.DataContentType);
        Assert.DoesNotContain(decoded.GetPopulatedAttributes(), a => a.Key.IsExtension);
    }

    [Fact]
    public void Ce_datacontenttype_without_content_type_gives_the_data_content_type()
    {
        var decoded = BinaryMessage("""{"a":1}"""u8.ToArray(), [.. MinimalHeaders(), ("ce_datacontenttype", "application/json")]).ToCloudEvent(Formatter);

        Assert.Equal("application/json", decoded.DataContentType);
    }

    [Fact]
    public void Ce_datacontenttype_that_differs_from_content_type_is_a_duplicate()
    {
        var error = Reject([.. MinimalHeaders(), ("content-type", "application/json"), ("ce_datacontenttype", "text/plain")]);

        Assert.Equal(CloudEventBindingError.DuplicateHeader, error.Error);
        Assert.Equal("ce_datacontenttype", error.Member);
        Assert.DoesNotContain("text/plain", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ce_datacontenttype_that_appears_twice_is_a_duplicate()
    {
        var error = Reject([.. MinimalHeaders(), ("ce_datacontenttype", "application/json"), ("ce_datacontenttype", "application/json")]);

        Assert.Equal(CloudEventBindingError.DuplicateHeader, error.Error);
        Assert.Equal("ce_datacontenttype", error.Member);
    }

    [Fact]
    public void Ce_header_without_a_value_is_an_invalid_attribute_value()
    {
        var error = Reject([.. MinimalHeaders(), ("ce_subject", null)]);

        Assert.Equal(CloudEventBindingError.InvalidAttributeValue, error.Error);
        Assert.Equal("ce_subject", error.Member);
    }

    [Theory]
    [InlineData("ce_id")]
    [InlineData("ce_specversion")]
    [InlineData("content-type")]
    [InlineData("ce_custom")]
    public void Repeated_header_is_rejected_as_duplicate(string header)
    {
        var headers = new List<(string, object?)>(MinimalHeaders()) { (header, "application/json"), (header, "application/json") };
        if (header is "ce_id" or "ce_specversion")
        {
            headers.RemoveAll(h => h.Item1 == header);
            headers.Add((header, "1.0"));
            headers.Add((header, "1.0"));
        }

        var error = Reject([.. headers]);

        Assert.Equal(CloudEventBindingError.DuplicateHeader, error.Error);
        Assert.Equal(header, error.Member);
    }

    [Fact]
    public void Typed_extension_with_an_invalid_value_names_the_header_and_the_expected_type()
    {
        var count = CloudEventAttribute.CreateExtension("count", CloudEventAttributeType.Integer);
        var message = BinaryMessage(null, [.. MinimalHeaders(), ("ce_count", "secret-value")]);

        var error = Assert.Throws<CloudEventBindingException>(() => message.ToCloudEvent(Formatter, count));

        Assert.Equal(CloudEventBindingError.InvalidAttributeValue, error.Error);
        Assert.Equal("ce_count", error.Member);
        Assert.Contains("integer", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Control_characters_in_a_string_attribute_are_rejected()
    {
        var error = Reject([.. MinimalHeaders(), ("ce_subject", "line1\nline2")]);

        Assert.Equal(CloudEventBindingError.InvalidAttributeValue, error.Error);
        Assert.Equal("ce_subject", error.Member);
    }

    [Fact]
    public void Data_that_does_not_match_its_content_type_is_invalid_data()
    {
        var message = BinaryMessage("{not json"u8.ToArray(), [.. MinimalHeaders(), ("content-type", "application/json")]);

        var error = Assert.Throws<CloudEventBindingException>(() => message.ToCloudEvent(Formatter));

        Assert.Equal(CloudEventBindingError.InvalidData, error.Error);
        Assert.Equal("value", error.Member);
    }

    [Fact]
    public void Json_data_that_is_not_utf8_is_invalid_data_not_a_readable_event()
    {
        // System.Text.Json parses it, and only fails later when the data is read or stored.
        byte[] value = [.. "{\"s\":\"a"u8, 0xED, 0xA0, 0x80, .. "\"}"u8];
        var message = BinaryMessage(value, [.. MinimalHeaders(), ("content-type", "application/json")]);

        var error = Assert.Throws<CloudEventBindingException>(() => message.ToCloudEvent(Formatter));

        Assert.Equal(CloudEventBindingError.InvalidData, error.Error);
        Assert.Equal("value", error.Member);
    }

    [Fact]
    public void Structured_message_with_an_attribute_that_is_not_utf8_names_the_attribute()
    {
        byte[] value = [.. """{"specversion":"1.0","id":"1","source":"/s","type":"t","subject":"a"""u8, 0xFE, .. "\"}"u8];
        var message = BinaryMessage(value, ("content-type", "application/cloudevents+json"));

        var error = Assert.Throws<CloudEventBindingException>(() => message.ToCloudEvent(Formatter));

        Assert.Equal(CloudEventBindingError.InvalidAttributeValue, error.Error);
        Assert.Equal("subject", error.Member);
    }

    [Fact]
    public void Malformed_binary_content_type_is_an_invalid_content_type()
    {
        var message = BinaryMessage(Encoding.UTF8.GetBytes("{}"), [.. MinimalHeaders(), ("content-type", "application/json; charset")]);

        var error = Assert.Throws<CloudEventBindingException>(() => message.ToCloudEvent(Formatter));

        Assert.Equal(CloudEventBindingError.InvalidContentType, error.Error);
        Assert.Equal("content-type", error.Member);
    }
}
