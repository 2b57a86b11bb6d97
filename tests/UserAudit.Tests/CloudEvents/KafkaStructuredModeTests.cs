using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Extensions;
using UserAudit.CloudEvents;
using UserAudit.CloudEvents.Kafka;
using Xunit;
using static UserAudit.Tests.CloudEvents.CloudEventSamples;

namespace UserAudit.Tests.CloudEvents;

public class KafkaStructuredModeTests
{
    [Fact]
    public void Structured_mode_keeps_the_charset_in_the_content_type_header()
    {
        var message = UserCreated().ToKafkaMessage(ContentMode.Structured, Formatter);

        Assert.Equal("application/cloudevents+json; charset=utf-8", HeaderText(message.Headers, "content-type"));
    }

    [Fact]
    public void Structured_mode_value_is_the_formatter_encoding_and_carries_no_ce_headers()
    {
        var cloudEvent = UserCreated();

        var message = cloudEvent.ToKafkaMessage(ContentMode.Structured, Formatter);

        using var json = JsonDocument.Parse(message.Value!);
        Assert.Equal(cloudEvent.Id, json.RootElement.GetProperty("id").GetString());
        Assert.Equal("1.0", json.RootElement.GetProperty("specversion").GetString());
        Assert.Single(message.Headers);
    }

    [Fact]
    public void Structured_mode_round_trips_a_user_event()
    {
        var cloudEvent = UserCreated();

        var decoded = cloudEvent.ToKafkaMessage(ContentMode.Structured, Formatter).ToCloudEvent(Formatter);

        AssertEquivalent(cloudEvent, decoded);
    }

    [Fact]
    public void Structured_mode_transmits_the_partitionkey_even_when_it_is_mapped_to_the_key()
    {
        var cloudEvent = UserCreated();
        cloudEvent[Partitioning.PartitionKeyAttribute] = "user-7";

        var message = cloudEvent.ToKafkaMessage(ContentMode.Structured, Formatter, new KafkaBindingOptions { MapPartitionKeyToKey = true });
        var decoded = message.ToCloudEvent(Formatter);

        Assert.Equal("user-7", message.Key);
        Assert.Equal("user-7", decoded[Partitioning.PartitionKeyAttribute]);
    }

    [Fact]
    public void Structured_content_type_is_matched_case_insensitively_and_wins_over_ce_headers()
    {
        var cloudEvent = UserCreated();
        var message = cloudEvent.ToKafkaMessage(ContentMode.Structured, Formatter);
        message.Headers.Remove("content-type");
        message.Headers.Add("content-type", Encoding.UTF8.GetBytes("Application/CloudEvents+json; charset=UTF-8"));
        message.Headers.Add("ce_specversion", Encoding.UTF8.GetBytes("1.0"));
        message.Headers.Add("ce_id", Encoding.UTF8.GetBytes("not-this-one"));

        var decoded = message.ToCloudEvent(Formatter);

        Assert.Equal(cloudEvent.Id, decoded.Id);
    }

    [Fact]
    public void Batch_content_type_on_Kafka_is_rejected_as_batch_not_supported()
    {
        var batch = Formatter.EncodeBatchModeMessage([UserCreated(), UserCreated()], out var contentType);
        var message = BinaryMessage(batch.ToArray(), ("content-type", contentType.ToString()), ("ce_specversion", "1.0"));

        var error = Assert.Throws<CloudEventBindingException>(() => message.ToCloudEvent(Formatter));

        Assert.Equal(CloudEventBindingError.BatchNotSupported, error.Error);
        Assert.Equal("content-type", error.Member);
        Assert.Contains("batch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Structured_message_without_a_value_is_invalid_data()
    {
        var message = BinaryMessage(null, ("content-type", "application/cloudevents+json"));

        var error = Assert.Throws<CloudEventBindingException>(() => message.ToCloudEvent(Formatter));

        Assert.Equal(CloudEventBindingError.InvalidData, error.Error);
    }

    [Fact]
    public void Malformed_structured_value_is_invalid_data_with_the_formatter_error_inside()
    {
        var message = BinaryMessage("{not json"u8.ToArray(), ("content-type", "application/cloudevents+json"));

        var error = Assert.Throws<CloudEventBindingException>(() => message.ToCloudEvent(Formatter));

        Assert.Equal(CloudEventBindingError.InvalidData, error.Error);
        Assert.Equal("value", error.Member);
        Assert.NotNull(error.InnerException);
    }

    // As binary mode does for ce_ headers: an extension member's error names it, and never quotes
    // its value (the formatter's own message does, so it is not attached).
    [Theory]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","count":"secret-value"}""", CloudEventBindingError.InvalidAttributeValue, "count")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","count":true}""", CloudEventBindingError.InvalidAttributeValue, "count")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","ratio":1.5}""", CloudEventBindingError.InvalidAttributeValue, "ratio")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","nested":{"secret":"secret-value"}}""", CloudEventBindingError.InvalidAttributeValue, "nested")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","Upper":"secret-value"}""", CloudEventBindingError.UnmappableHeader, "Upper")]
    public void Structured_extension_errors_name_the_member_without_its_value(string json, CloudEventBindingError expected, string member)
    {
        var count = CloudEventAttribute.CreateExtension("count", CloudEventAttributeType.Integer);
        var message = BinaryMessage(Encoding.UTF8.GetBytes(json), ("content-type", "application/cloudevents+json"));

        var error = Assert.Throws<CloudEventBindingException>(() => message.ToCloudEvent(Formatter, count));

        Assert.Equal((expected, member), (error.Error, error.Member));
        Assert.Contains($"'{member}'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Structured_event_with_an_empty_id_is_rejected()
    {
        var message = BinaryMessage("""{"specversion":"1.0","id":"","source":"/s","type":"t"}"""u8.ToArray(), ("content-type", "application/cloudevents+json"));

        var error = Assert.Throws<CloudEventBindingException>(() => message.ToCloudEvent(Formatter));

        Assert.Equal(CloudEventBindingError.InvalidAttributeValue, error.Error);
        Assert.Equal("id", error.Member);
    }

    [Fact]
    public void Structured_event_whose_source_is_not_a_uri_reference_is_rejected()
    {
        var message = BinaryMessage("""{"specversion":"1.0","id":"1","source":"not a uri","type":"t"}"""u8.ToArray(), ("content-type", "application/cloudevents+json"));

        var error = Assert.Throws<CloudEventBindingException>(() => message.ToCloudEvent(Formatter));

        Assert.Equal(CloudEventBindingError.InvalidAttributeValue, error.Error);
        Assert.Equal("source", error.Member);
    }

    [Fact]
    public void Malformed_structured_content_type_is_an_invalid_content_type()
    {
        var message = BinaryMessage("{}"u8.ToArray(), ("content-type", "application/cloudevents+json; charset"));

        var error = Assert.Throws<CloudEventBindingException>(() => message.ToCloudEvent(Formatter));

        Assert.Equal(CloudEventBindingError.InvalidContentType, error.Error);
        Assert.Equal("content-type", error.Member);
    }
}
