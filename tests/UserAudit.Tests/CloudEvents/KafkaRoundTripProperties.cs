using CloudNative.CloudEvents;
using Confluent.Kafka;
using CsCheck;
using UserAudit.CloudEvents;
using UserAudit.CloudEvents.Kafka;
using Xunit;
using static UserAudit.Tests.CloudEvents.CloudEventSamples;

namespace UserAudit.Tests.CloudEvents;

public class KafkaRoundTripProperties
{
    private static readonly Gen<ContentMode> Mode = Gen.OneOf(ContentMode.Binary, ContentMode.Structured);

    [Fact]
    public void Any_event_round_trips_through_kafka_in_both_modes_with_every_key_kind()
    {
        Gen.Select(CloudEventGenerators.Event, Mode, Gen.Int[0, 2]).Sample((recipe, mode, keyKind) =>
        {
            var original = recipe.Build();
            var definitions = recipe.ExtensionDefinitions();
            CloudEvent decoded;
            switch (keyKind)
            {
                case 0:
                    var stringKeyed = original.ToKafkaMessage(mode, Formatter, recipe.Id);
                    Assert.Equal(recipe.Id, stringKeyed.Key);
                    decoded = stringKeyed.ToCloudEvent(Formatter, definitions);
                    break;
                case 1:
                    var bytesKeyed = original.ToKafkaMessage(mode, Formatter, recipe.Bytes);
                    Assert.Same(recipe.Bytes, bytesKeyed.Key);
                    decoded = bytesKeyed.ToCloudEvent(Formatter, definitions);
                    break;
                default:
                    var nullKeyed = original.ToKafkaMessage(mode, Formatter, (Null)null!);
                    Assert.Null(nullKeyed.Key);
                    decoded = nullKeyed.ToCloudEvent(Formatter, definitions);
                    break;
            }
            AssertEquivalent(original, decoded);
        }, iter: 400);
    }

    [Fact]
    public void Any_event_is_recognised_as_a_cloud_event_in_both_modes()
    {
        Gen.Select(CloudEventGenerators.Event, Mode).Sample((recipe, mode) =>
            Assert.True(recipe.Build().ToKafkaMessage(mode, Formatter).IsCloudEvent()), iter: 100);
    }

    [Fact]
    public void Without_extension_definitions_binary_mode_extensions_decode_as_their_canonical_strings()
    {
        CloudEventGenerators.Event.Sample(recipe =>
        {
            var original = recipe.Build();

            var decoded = original.ToKafkaMessage(ContentMode.Binary, Formatter).ToCloudEvent(Formatter);

            foreach (var definition in recipe.ExtensionDefinitions())
            {
                Assert.Equal(definition.Format(original[definition]!), decoded[definition.Name]);
            }
        }, iter: 200);
    }

    [Fact]
    public void Binary_mode_never_decodes_a_header_with_invalid_utf8()
    {
        Gen.Select(CloudEventGenerators.Event, Gen.Byte[0x80, 0xFF]).Sample((recipe, badByte) =>
        {
            var message = recipe.Build().ToKafkaMessage(ContentMode.Binary, Formatter);
            var target = message.Headers[message.Headers.Count - 1];
            byte[] corrupted = [.. target.GetValueBytes(), badByte];
            message.Headers.Remove(target.Key);
            message.Headers.Add(target.Key, corrupted);

            // A lone byte >= 0x80 at the end is never valid UTF-8.
            var error = Assert.Throws<CloudEventBindingException>(() => message.ToCloudEvent(Formatter, recipe.ExtensionDefinitions()));
            Assert.Equal(CloudEventBindingError.InvalidUtf8Header, error.Error);
            Assert.Equal(target.Key, error.Member);
        }, iter: 200);
    }
}
