using System.Buffers;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Core;
using CloudNative.CloudEvents.SystemTextJson;

namespace UserAudit.CloudEvents.Core;

/// <summary>
/// The SDK's JSON event format with a short way through binary-mode data whose content type is
/// exactly <c>application/json</c> (or absent, which the format reads as JSON): every UserAudit
/// event's. The SDK parses the content type into a <see cref="System.Net.Mime.ContentType"/> for
/// every event it encodes or decodes (a parser, a hashtable and a dictionary per call, about 1 KB);
/// this formatter does what the SDK does for that content type without parsing it. Every other
/// content type, parameters such as a charset included, goes to the SDK unchanged.
/// </summary>
internal sealed class JsonDataFormatter : JsonEventFormatter
{
    private const string Json = "application/json";

    /// <inheritdoc />
    public override ReadOnlyMemory<byte> EncodeBinaryModeEventData(CloudEvent cloudEvent)
    {
        // The SDK's checks first: an event missing a required attribute is refused as it would be.
        Validation.CheckCloudEventArgument(cloudEvent, nameof(cloudEvent));
        // Data already parsed as JSON (every UserAudit event's) is written as it is; any other
        // object goes to the SDK, whose serializer reads its type by reflection.
        return cloudEvent is { Data: JsonElement data, DataContentType: null or Json }
            ? Write(data)
            : base.EncodeBinaryModeEventData(cloudEvent);
    }

    private static ReadOnlyMemory<byte> Write(JsonElement data)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            data.WriteTo(writer);
        }

        return buffer.WrittenMemory;
    }

    /// <inheritdoc />
    public override void DecodeBinaryModeEventData(ReadOnlyMemory<byte> body, CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (cloudEvent.DataContentType is not (null or Json))
        {
            base.DecodeBinaryModeEventData(body, cloudEvent);
            return;
        }

        if (body.IsEmpty)
        {
            cloudEvent.Data = null;
            return;
        }

        using var document = JsonDocument.Parse(body, DocumentOptions);
        cloudEvent.Data = document.RootElement.Clone();
    }
}
