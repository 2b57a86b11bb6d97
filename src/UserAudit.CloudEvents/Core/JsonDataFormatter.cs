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
        return cloudEvent is { Data: not (null or byte[]), DataContentType: null or Json }
            ? JsonSerializer.SerializeToUtf8Bytes(cloudEvent.Data, SerializerOptions)
            : base.EncodeBinaryModeEventData(cloudEvent);
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
