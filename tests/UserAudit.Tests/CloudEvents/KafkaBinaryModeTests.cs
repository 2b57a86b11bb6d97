using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Extensions;
using Confluent.Kafka;
using UserAudit.CloudEvents;
using UserAudit.CloudEvents.Kafka;
using Xunit;
using static UserAudit.Tests.CloudEvents.CloudEventSamples;

namespace UserAudit.Tests.CloudEvents;

public class KafkaBinaryModeTests
{
    [Fact]
    public void Binary_mode_puts_datacontenttype_in_content_type_and_every_other_attribute_in_a_ce_header()
    {
        var cloudEvent = UserCreated();
        cloudEvent["tenant"] = "blue";

        var message = cloudEvent.ToKafkaMessage(ContentMode.Binary, Formatter);

        Assert.Equal("1.0", HeaderText(message.Headers, "ce_specversion"));
        Assert.Equal(cloudEvent.Id, HeaderText(message.Headers, "ce_id"));
        Assert.Equal("/user-service", HeaderText(message.Headers, "ce_source"));
        Assert.Equal(cloudEvent.Type, HeaderText(message.Headers, "ce_type"));
        Assert.Equal(cloudEvent.Subject, HeaderText(message.Headers, "ce_subject"));
        Assert.Equal("2025-01-02T03:04:05.678+02:00", HeaderText(message.Headers, "ce_time"));
        Assert.Equal("blue", HeaderText(message.Headers, "ce_tenant"));
        Assert.Equal("application/json", HeaderText(message.Headers, "content-type"));
        Assert.Null(HeaderText(message.Headers, "ce_datacontenttype"));
        Assert.Equal(8, message.Headers.Count);
    }

    [Fact]
    public void Binary_mode_value_is_the_data_as_encoded_by_the_formatter()
    {
        var cloudEvent = UserCreated();

        var message = cloudEvent.ToKafkaMessage(ContentMode.Binary, Formatter);

        Assert.Equal(JsonSerializer.Serialize((JsonElement)cloudEvent.Data!), Encoding.UTF8.GetString(message.Value!));
    }

    [Fact]
    public void Binary_mode_round_trips_a_user_event()
    {
        var cloudEvent = UserCreated();

        var decoded = cloudEvent.ToKafkaMessage(ContentMode.Binary, Formatter).ToCloudEvent(Formatter);

        AssertEquivalent(cloudEvent, decoded);
    }

    [Fact]
    public void Event_without_data_becomes_a_tombstone_and_decodes_back_without_data()
    {
        var cloudEvent = UserCreated(dataContentType: null);
        cloudEvent.Data = null;

        var message = cloudEvent.ToKafkaMessage(ContentMode.Binary, Formatter);
        var decoded = message.ToCloudEvent(Formatter);

        Assert.Null(message.Value);
        Assert.Null(decoded.Data);
        AssertEquivalent(cloudEvent, decoded);
    }

    [Fact]
    public void Tombstone_with_a_content_type_keeps_the_datacontenttype()
    {
        var cloudEvent = UserCreated();
        cloudEvent.Data = null;

        var decoded = cloudEvent.ToKafkaMessage(ContentMode.Binary, Formatter).ToCloudEvent(Formatter);

        Assert.Null(decoded.Data);
        Assert.Equal("application/json", decoded.DataContentType);
    }

    [Fact]
    public void Binary_data_and_text_data_survive_binary_mode()
    {
        var bytes = new CloudEvent { Id = "b1", Source = new Uri("urn:test"), Type = "t", DataContentType = "application/octet-stream", Data = new byte[] { 0, 1, 2, 255 } };
        var text = new CloudEvent { Id = "t1", Source = new Uri("urn:test"), Type = "t", DataContentType = "text/plain; charset=utf-8", Data = "héllo wörld ✓" };

        AssertEquivalent(bytes, bytes.ToKafkaMessage(ContentMode.Binary, Formatter).ToCloudEvent(Formatter));
        AssertEquivalent(text, text.ToKafkaMessage(ContentMode.Binary, Formatter).ToCloudEvent(Formatter));
    }

    [Fact]
    public void Partition_key_is_not_mapped_to_the_message_key_unless_asked()
    {
        var cloudEvent = UserCreated();
        cloudEvent[Partitioning.PartitionKeyAttribute] = "user-42";

        var message = cloudEvent.ToKafkaMessage(ContentMode.Binary, Formatter);

        Assert.Null(message.Key);
        Assert.Equal("user-42", HeaderText(message.Headers, "ce_partitionkey"));
    }

    [Fact]
    public void Opt_in_partition_key_mapping_sets_the_key_and_still_transmits_the_partitionkey_header()
    {
        var cloudEvent = UserCreated();
        cloudEvent[Partitioning.PartitionKeyAttribute] = "user-42";

        var message = cloudEvent.ToKafkaMessage(ContentMode.Binary, Formatter, new KafkaBindingOptions { MapPartitionKeyToKey = true });
        var decoded = message.ToCloudEvent(Formatter);

        Assert.Equal("user-42", message.Key);
        Assert.Equal("user-42", HeaderText(message.Headers, "ce_partitionkey"));
        Assert.Equal("user-42", decoded[Partitioning.PartitionKeyAttribute]);
    }

    [Fact]
    public void Opt_in_partition_key_mapping_gives_a_null_key_when_the_event_has_no_partitionkey()
    {
        var message = UserCreated().ToKafkaMessage(ContentMode.Binary, Formatter, new KafkaBindingOptions { MapPartitionKeyToKey = true });

        Assert.Null(message.Key);
    }

    [Fact]
    public void Decoding_does_not_turn_the_message_key_into_a_partitionkey()
    {
        var message = UserCreated().ToKafkaMessage(ContentMode.Binary, Formatter, "some-key");

        var decoded = message.ToCloudEvent(Formatter);

        Assert.Null(decoded[Partitioning.PartitionKeyAttribute]);
    }

    [Fact]
    public void String_byte_array_and_null_keys_are_all_supported()
    {
        var cloudEvent = UserCreated();
        byte[] binaryKey = [1, 2, 3];

        var stringKeyed = cloudEvent.ToKafkaMessage(ContentMode.Binary, Formatter, "user-1");
        var bytesKeyed = cloudEvent.ToKafkaMessage(ContentMode.Structured, Formatter, binaryKey);
        var nullKeyed = cloudEvent.ToKafkaMessage(ContentMode.Binary, Formatter, (Null)null!);
        var nullStringKeyed = cloudEvent.ToKafkaMessage(ContentMode.Binary, Formatter, (string?)null);

        Assert.Equal("user-1", stringKeyed.Key);
        Assert.Same(binaryKey, bytesKeyed.Key);
        Assert.Null(nullKeyed.Key);
        Assert.Null(nullStringKeyed.Key);
        AssertEquivalent(cloudEvent, stringKeyed.ToCloudEvent(Formatter));
        AssertEquivalent(cloudEvent, bytesKeyed.ToCloudEvent(Formatter));
        AssertEquivalent(cloudEvent, nullKeyed.ToCloudEvent(Formatter));
        AssertEquivalent(cloudEvent, nullStringKeyed.ToCloudEvent(Formatter));
    }

    [Fact]
    public void Unknown_ce_headers_become_string_extensions()
    {
        var message = BinaryMessage(null, [.. MinimalHeaders(), ("ce_region", "eu1"), ("ce_count", "3")]);

        var decoded = message.ToCloudEvent(Formatter);

        Assert.Equal("eu1", decoded["region"]);
        Assert.Equal("3", decoded["count"]);
        Assert.Equal(CloudEventAttributeType.String, decoded.GetAttribute("count")!.Type);
    }

    [Fact]
    public void Supplied_extension_definitions_give_ce_headers_their_types()
    {
        var count = CloudEventAttribute.CreateExtension("count", CloudEventAttributeType.Integer);
        var flag = CloudEventAttribute.CreateExtension("flag", CloudEventAttributeType.Boolean);
        var message = BinaryMessage(null, [.. MinimalHeaders(), ("ce_count", "3"), ("ce_flag", "true")]);

        var decoded = message.ToCloudEvent(Formatter, count, flag);

        Assert.Equal(3, decoded[count]);
        Assert.Equal(true, decoded[flag]);
    }

    [Fact]
    public void Headers_without_the_ce_prefix_are_ignored()
    {
        var message = BinaryMessage(null, [.. MinimalHeaders(), ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), ("x-app", new byte[] { 0xff, 0xfe }), ("CE_ID", "other")]);

        var decoded = message.ToCloudEvent(Formatter);

        Assert.Null(decoded["traceparent"]);
        Assert.Equal(["id", "source", "type"], decoded.GetPopulatedAttributes().Select(p => p.Key.Name).Order());
    }

    [Fact]
    public void Is_cloud_event_recognises_binary_and_structured_messages_only()
    {
        var binary = UserCreated().ToKafkaMessage(ContentMode.Binary, Formatter);
        var structured = UserCreated().ToKafkaMessage(ContentMode.Structured, Formatter);
        var plain = BinaryMessage([1], ("content-type", "application/json"));
        var batch = BinaryMessage([1], ("content-type", "application/cloudevents-batch+json"));
        var upperCase = BinaryMessage([1], ("content-type", "Application/CloudEvents+JSON"));
        var noHeaders = new Message<string?, byte[]?> { Value = [1] };

        Assert.True(binary.IsCloudEvent());
        Assert.True(structured.IsCloudEvent());
        Assert.True(upperCase.IsCloudEvent());
        Assert.False(plain.IsCloudEvent());
        Assert.False(batch.IsCloudEvent());
        Assert.False(noHeaders.IsCloudEvent());
    }

    [Fact]
    public void Encoding_an_event_without_a_required_attribute_names_the_attribute()
    {
        var cloudEvent = UserCreated();
        cloudEvent.Type = null;

        var error = Assert.Throws<CloudEventBindingException>(() => cloudEvent.ToKafkaMessage(ContentMode.Binary, Formatter));

        Assert.Equal(CloudEventBindingError.MissingRequiredAttribute, error.Error);
        Assert.Equal("type", error.Member);
    }

    [Fact]
    public void Unsupported_content_mode_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => UserCreated().ToKafkaMessage((ContentMode)42, Formatter));
    }
}
