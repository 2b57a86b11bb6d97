using System.Net.Mime;
using System.Text.Json;
using CloudNative.CloudEvents;

namespace UserAudit.CloudEvents.Core;

/// <summary>
/// Turns an event formatter's failure to decode a structured or batch body into an error that
/// names the attribute at fault, as binary mode does. The body is inspected again only on this
/// failure path, so a valid event costs nothing extra.
/// </summary>
public static class JsonEventDiagnostics
{
    private static readonly CloudEventsSpecVersion V1 = CloudEventsSpecVersion.V1_0;

    private static readonly CloudEventAttribute[] CheckedAttributes =
    [
        V1.IdAttribute, V1.SourceAttribute, V1.TypeAttribute, V1.SubjectAttribute,
        V1.TimeAttribute, V1.DataSchemaAttribute, V1.DataContentTypeAttribute,
    ];

    /// <summary>
    /// The binding's error for a body the formatter rejected. For JSON formats it names the first
    /// attribute at fault; otherwise it is <see cref="CloudEventBindingError.InvalidData"/>.
    /// </summary>
    /// <param name="body">The structured or batch body the formatter rejected.</param>
    /// <param name="contentType">The body's content type.</param>
    /// <param name="member">What to name for data-level errors ("value" for Kafka, "body" for HTTP).</param>
    /// <param name="failure">The formatter's exception; attached only to data-level errors, since attribute errors could quote values.</param>
    /// <param name="extensionAttributes">The typed extensions the formatter was given, to check extension members against.</param>
    public static CloudEventBindingException DecodingFailure(
        ReadOnlyMemory<byte> body, ContentType contentType, string member, Exception failure, IEnumerable<CloudEventAttribute>? extensionAttributes = null)
    {
        ArgumentNullException.ThrowIfNull(contentType);
        string mediaType = contentType.MediaType;
        if (mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Array)
                {
                    foreach (var element in root.EnumerateArray())
                    {
                        if (Diagnose(element, extensionAttributes) is { } batchError)
                        {
                            return batchError;
                        }
                    }
                }
                else if (Diagnose(root, extensionAttributes) is { } error)
                {
                    return error;
                }
            }
            catch (JsonException)
            {
                // Not JSON at all: reported below as invalid data, with the formatter's exception.
            }
        }

        return new CloudEventBindingException(
            CloudEventBindingError.InvalidData, member,
            $"The '{member}' is not a valid CloudEvents {(MediaTypes.IsBatch(mediaType) ? "batch" : "structured-mode event")} of media type '{mediaType}'.",
            failure);
    }

    private static CloudEventBindingException? Diagnose(JsonElement element, IEnumerable<CloudEventAttribute>? extensionAttributes)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (!element.TryGetProperty("specversion", out var specVersion))
        {
            return AttributeErrors.Missing("specversion", "specversion");
        }

        if (specVersion.ValueKind == JsonValueKind.String && !TryGetString(specVersion, out _))
        {
            return NotUnicode("specversion");
        }

        if (specVersion.ValueKind != JsonValueKind.String || specVersion.GetString() != V1.VersionId)
        {
            return AttributeErrors.UnsupportedSpecVersion("specversion");
        }

        foreach (var attribute in CheckedAttributes)
        {
            if (Diagnose(element, attribute) is { } error)
            {
                return error;
            }
        }

        // Any other member (an extension, data) whose name or text cannot be read.
        foreach (var property in element.EnumerateObject())
        {
            string name;
            try
            {
                name = property.Name;
            }
            catch (InvalidOperationException)
            {
                return new CloudEventBindingException(
                    CloudEventBindingError.InvalidData, null,
                    "An attribute name is not valid Unicode: its bytes are not UTF-8 or it escapes an unpaired surrogate.");
            }

            if (property.Value.ValueKind == JsonValueKind.String && !TryGetString(property.Value, out _))
            {
                return NotUnicode(name);
            }

            if (!IsCoreOrData(name) && DiagnoseExtension(name, property.Value, extensionAttributes) is { } extensionError)
            {
                return extensionError;
            }
        }

        return null;
    }

    private static bool IsCoreOrData(string name) =>
        name is "specversion" or "data" or "data_base64" || Array.Exists(CheckedAttributes, a => a.Name == name);

    // An extension member as the JSON format maps it: a string is the attribute's canonical text, a
    // number an Integer, true or false a Boolean, null no value; objects and arrays are not attributes.
    private static CloudEventBindingException? DiagnoseExtension(string name, JsonElement value, IEnumerable<CloudEventAttribute>? extensionAttributes)
    {
        if (!AttributeDecoding.IsValidName(name))
        {
            return new CloudEventBindingException(
                CloudEventBindingError.UnmappableHeader, name,
                $"Member '{name}' does not map to a CloudEvents attribute: attribute names are lower-case ASCII letters and digits.");
        }

        var declared = extensionAttributes?.FirstOrDefault(a => a.Name == name);
        var attribute = declared ?? CloudEventAttribute.CreateExtension(name, value.ValueKind switch
        {
            JsonValueKind.Number => CloudEventAttributeType.Integer,
            JsonValueKind.True or JsonValueKind.False => CloudEventAttributeType.Boolean,
            _ => CloudEventAttributeType.String,
        });
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                try
                {
                    attribute.Parse(value.GetString()!);
                    return null;
                }
                catch (ArgumentException)
                {
                    return AttributeErrors.InvalidValue(attribute, name);
                }

            case JsonValueKind.Number when attribute.Type == CloudEventAttributeType.Integer:
                return value.TryGetInt32(out _) ? null : AttributeErrors.InvalidValue(attribute, name);
            case JsonValueKind.True or JsonValueKind.False when attribute.Type == CloudEventAttributeType.Boolean:
                return null;
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                return AttributeErrors.InvalidValue(attribute, name);
            default:
                return new CloudEventBindingException(
                    CloudEventBindingError.InvalidAttributeValue, name,
                    $"Attribute '{name}' must be a JSON string, number or boolean; objects and arrays are not attribute values.");
        }
    }

    private static CloudEventBindingException? Diagnose(JsonElement element, CloudEventAttribute attribute)
    {
        if (!element.TryGetProperty(attribute.Name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return attribute.IsRequired ? AttributeErrors.Missing(attribute.Name, attribute.Name) : null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return new CloudEventBindingException(
                CloudEventBindingError.InvalidAttributeValue, attribute.Name, $"Attribute '{attribute.Name}' must be a JSON string.");
        }

        if (!TryGetString(value, out string text))
        {
            return NotUnicode(attribute.Name);
        }

        if (attribute.IsRequired && text.Length == 0)
        {
            return AttributeErrors.Empty(attribute.Name, attribute.Name);
        }

        var type = attribute.Type;
        if ((type == CloudEventAttributeType.UriReference || type == CloudEventAttributeType.Uri) && !UriReference.IsValid(text))
        {
            return AttributeErrors.InvalidValue(attribute, attribute.Name);
        }

        try
        {
            attribute.Parse(text);
            return null;
        }
        catch (ArgumentException)
        {
            return AttributeErrors.InvalidValue(attribute, attribute.Name);
        }
    }

    /// <summary>
    /// Reads a JSON string. System.Text.Json checks a string only when it is read, and throws
    /// <see cref="InvalidOperationException"/> then for bytes that are not UTF-8 or for an escaped
    /// unpaired surrogate (<c>"\ud800"</c>).
    /// </summary>
    private static bool TryGetString(JsonElement value, out string text)
    {
        try
        {
            text = value.GetString() ?? string.Empty;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = string.Empty;
            return false;
        }
    }

    private static CloudEventBindingException NotUnicode(string attributeName) =>
        new(CloudEventBindingError.InvalidAttributeValue, attributeName,
            $"Attribute '{attributeName}' is not valid Unicode: its bytes are not UTF-8 or it escapes an unpaired surrogate.");
}
