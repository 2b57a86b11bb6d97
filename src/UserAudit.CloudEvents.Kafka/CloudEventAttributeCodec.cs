using System.Net.Mime;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Extensions;

namespace UserAudit.CloudEvents.Kafka;

/// <summary>
/// Encoding, decoding and validation rules that every UserAudit CloudEvents binding applies in the same way:
/// strict UTF-8, attribute names, typed attribute values, URI-references and required attributes.
/// Shared with the HTTP binding, so both reject the same messages with the same errors.
/// </summary>
internal static class CloudEventAttributeCodec
{
    /// <summary>UTF-8 that throws on invalid bytes instead of substituting U+FFFD.</summary>
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The CloudEvents JSON batch media type prefix ("application/cloudevents-batch").</summary>
    internal const string BatchMediaTypePrefix = "application/cloudevents-batch";

    /// <summary>The CloudEvents structured media type prefix ("application/cloudevents").</summary>
    internal const string StructuredMediaTypePrefix = "application/cloudevents";

    private static readonly CloudEventsSpecVersion V1 = CloudEventsSpecVersion.V1_0;

    /// <summary>
    /// The attributes every binding knows by name: the v1.0 context attributes other than
    /// specversion and datacontenttype (which travel differently), and the string extensions the
    /// platform uses. Cached so that decoding does not allocate attribute definitions.
    /// </summary>
    internal static readonly CloudEventAttribute[] KnownAttributes =
    [
        V1.IdAttribute,
        V1.SourceAttribute,
        V1.TypeAttribute,
        V1.SubjectAttribute,
        V1.TimeAttribute,
        V1.DataSchemaAttribute,
        Partitioning.PartitionKeyAttribute,
        DistributedTracingExtension.TraceParent,
        DistributedTracingExtension.TraceState,
    ];

    /// <summary>Builds a map from header name (prefix + attribute name) to the known attribute.</summary>
    internal static Dictionary<string, CloudEventAttribute> BuildHeaderMap(string prefix, StringComparer comparer)
    {
        var map = new Dictionary<string, CloudEventAttribute>(KnownAttributes.Length, comparer);
        foreach (var attribute in KnownAttributes)
        {
            map.Add(prefix + attribute.Name, attribute);
        }
        return map;
    }

    /// <summary>Decodes a header value as strict UTF-8.</summary>
    /// <exception cref="CloudEventBindingException">The bytes are not valid UTF-8 (<see cref="CloudEventBindingError.InvalidUtf8Header"/>).</exception>
    internal static string DecodeUtf8(ReadOnlySpan<byte> bytes, string header)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            // The inner exception is left out: its message quotes the offending bytes.
            throw new CloudEventBindingException(
                CloudEventBindingError.InvalidUtf8Header, header, $"Header '{header}' is not valid UTF-8.");
        }
    }

    /// <summary>Whether the name is a valid CloudEvents attribute name: non-empty, lower-case ASCII letters and digits.</summary>
    internal static bool IsValidAttributeName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return false;
        }
        foreach (char c in name)
        {
            if (!char.IsAsciiDigit(c) && !char.IsAsciiLetterLower(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Finds the attribute definition for an attribute name read from a header: a supplied or
    /// known extension, a context attribute, or a new string extension for unknown names.
    /// </summary>
    /// <exception cref="CloudEventBindingException">The name cannot be an attribute carried in its own header (<see cref="CloudEventBindingError.UnmappableHeader"/>).</exception>
    internal static CloudEventAttribute ResolveAttribute(CloudEvent cloudEvent, CloudEventAttribute? known, string attributeName, string header)
    {
        if (known is not null)
        {
            // An extension definition supplied by the caller wins over the built-in string one.
            return known.IsExtension ? cloudEvent.GetAttribute(known.Name) ?? known : known;
        }
        if (!IsValidAttributeName(attributeName))
        {
            throw new CloudEventBindingException(
                CloudEventBindingError.UnmappableHeader, header,
                $"Header '{header}' does not map to a CloudEvents attribute: attribute names are lower-case ASCII letters and digits.");
        }
        if (attributeName is "data" or "specversion" or "datacontenttype")
        {
            throw new CloudEventBindingException(
                CloudEventBindingError.UnmappableHeader, header,
                $"Header '{header}' does not map to a CloudEvents attribute: '{attributeName}' is not carried in a header of its own.");
        }
        return cloudEvent.GetAttribute(attributeName)
            ?? CloudEventAttribute.CreateExtension(attributeName, CloudEventAttributeType.String);
    }

    /// <summary>
    /// Parses <paramref name="text"/> as the value of <paramref name="attribute"/> and sets it on the event.
    /// </summary>
    /// <exception cref="CloudEventBindingException">The attribute is already set (<see cref="CloudEventBindingError.DuplicateHeader"/>) or the text is invalid for it (<see cref="CloudEventBindingError.InvalidAttributeValue"/>).</exception>
    /// <param name="cloudEvent">The event being decoded.</param>
    /// <param name="attribute">The attribute the text is for.</param>
    /// <param name="text">The canonical string form of the value.</param>
    /// <param name="member">The header or attribute to name in errors.</param>
    /// <param name="checkDuplicate">False when the caller already knows the attribute is not set yet.</param>
    internal static void SetAttribute(CloudEvent cloudEvent, CloudEventAttribute attribute, string text, string member, bool checkDuplicate = true)
    {
        if (checkDuplicate && cloudEvent[attribute.Name] is not null)
        {
            throw new CloudEventBindingException(
                CloudEventBindingError.DuplicateHeader, member,
                $"Header '{member}' appears more than once; attribute '{attribute.Name}' must have exactly one value.");
        }
        var type = attribute.Type;
        if ((type == CloudEventAttributeType.UriReference || type == CloudEventAttributeType.Uri) && !IsUriReferenceText(text))
        {
            throw InvalidValue(attribute, member);
        }
        try
        {
            // Strings need no parsing; the indexer validates them once. Timestamps take a fast path.
            cloudEvent[attribute] =
                type == CloudEventAttributeType.String ? text
                : type == CloudEventAttributeType.Timestamp && Rfc3339Timestamp.TryParse(text, out var timestamp) ? timestamp
                : attribute == V1.SourceAttribute ? ParseSource(text)
                : attribute.Parse(text);
        }
        catch (ArgumentException)
        {
            // The SDK's message quotes the value, so it is not attached.
            throw InvalidValue(attribute, member);
        }
    }

    /// <summary>
    /// The last source parsed. A producer's events share one source, and parsing a
    /// <see cref="Uri"/> is a large part of decoding a header, so the immutable instance is reused.
    /// </summary>
    private static ParsedSource? lastSource;

    private sealed record ParsedSource(string Text, Uri Uri);

    private static Uri ParseSource(string text)
    {
        var cached = Volatile.Read(ref lastSource);
        if (cached is not null && string.Equals(cached.Text, text, StringComparison.Ordinal))
        {
            return cached.Uri;
        }
        var uri = (Uri)V1.SourceAttribute.Parse(text);
        Volatile.Write(ref lastSource, new ParsedSource(text, uri));
        return uri;
    }

    /// <summary>
    /// Checks what the CloudEvents SDK leaves to bindings: specversion 1.0, the REQUIRED attributes
    /// present and non-empty, and URI-valued attributes well-formed.
    /// </summary>
    /// <param name="cloudEvent">The decoded event.</param>
    /// <param name="memberPrefix">Prefix that turns an attribute name into the member to report ("ce_", "ce-", or "" for structured mode).</param>
    /// <param name="checkValues">Whether to check URI-valued attributes (binary decoding already did while parsing).</param>
    internal static CloudEvent Validate(CloudEvent cloudEvent, string memberPrefix, bool checkValues)
    {
        if (cloudEvent.SpecVersion != V1)
        {
            throw new CloudEventBindingException(
                CloudEventBindingError.UnsupportedSpecVersion, memberPrefix + "specversion",
                $"Attribute '{memberPrefix}specversion' names a CloudEvents version this binding does not support; only 1.0 is supported.");
        }
        RequireNonEmpty(cloudEvent[V1.IdAttribute.Name] as string, V1.IdAttribute.Name, memberPrefix);
        RequireNonEmpty((cloudEvent[V1.SourceAttribute.Name] as Uri)?.OriginalString, V1.SourceAttribute.Name, memberPrefix);
        RequireNonEmpty(cloudEvent[V1.TypeAttribute.Name] as string, V1.TypeAttribute.Name, memberPrefix);
        if (checkValues)
        {
            foreach (var pair in cloudEvent.GetPopulatedAttributes())
            {
                if (pair.Value is Uri uri && !IsUriReferenceText(uri.OriginalString))
                {
                    throw InvalidValue(pair.Key, memberPrefix + pair.Key.Name);
                }
            }
        }
        return cloudEvent;
    }

    /// <summary>
    /// Rejects JSON data whose bytes are not UTF-8. The formatter keeps JSON data as a
    /// <see cref="JsonElement"/> over the message's bytes, and System.Text.Json checks UTF-8 only
    /// when text is read from it, so such data would decode and then fail whoever stores or
    /// forwards the event.
    /// </summary>
    /// <param name="cloudEvent">The decoded event, data included.</param>
    /// <param name="member">What held the data: "data" in structured mode, "body" or "value" in binary mode.</param>
    /// <exception cref="CloudEventBindingException">The data is JSON that is not UTF-8 (<see cref="CloudEventBindingError.InvalidData"/>).</exception>
    internal static CloudEvent RequireUtf8JsonData(CloudEvent cloudEvent, string member)
    {
        if (cloudEvent.Data is JsonElement data && !Utf8.IsValid(JsonMarshal.GetRawUtf8Value(data)))
        {
            throw new CloudEventBindingException(
                CloudEventBindingError.InvalidData, member,
                $"The event data ('{member}') is JSON that is not valid UTF-8.");
        }
        return cloudEvent;
    }

    /// <summary>Throws when the event lacks a REQUIRED attribute; used before encoding.</summary>
    internal static void RequireEncodable(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        RequireNonEmpty(cloudEvent[V1.IdAttribute.Name] as string, V1.IdAttribute.Name, string.Empty);
        RequireNonEmpty((cloudEvent[V1.SourceAttribute.Name] as Uri)?.OriginalString, V1.SourceAttribute.Name, string.Empty);
        RequireNonEmpty(cloudEvent[V1.TypeAttribute.Name] as string, V1.TypeAttribute.Name, string.Empty);
    }

    private static void RequireNonEmpty(string? value, string attributeName, string memberPrefix)
    {
        if (value is null)
        {
            string member = memberPrefix + attributeName;
            throw new CloudEventBindingException(
                CloudEventBindingError.MissingRequiredAttribute, member,
                $"Required attribute '{attributeName}' is missing ('{member}').");
        }
        if (value.Length == 0)
        {
            string member = memberPrefix + attributeName;
            throw new CloudEventBindingException(
                CloudEventBindingError.InvalidAttributeValue, member,
                $"Required attribute '{attributeName}' is empty ('{member}'); it must be a non-empty string.");
        }
    }

    /// <summary>The error for a value that is invalid for its attribute, saying what was expected.</summary>
    internal static CloudEventBindingException InvalidValue(CloudEventAttribute attribute, string member)
    {
        if (attribute == V1.DataContentTypeAttribute)
        {
            return new CloudEventBindingException(
                CloudEventBindingError.InvalidContentType, member,
                $"'{member}' (attribute '{attribute.Name}') is not a valid media type (RFC 2046).");
        }
        var type = attribute.Type;
        string expected =
            type == CloudEventAttributeType.Timestamp ? "is not a valid RFC 3339 timestamp"
            : type == CloudEventAttributeType.UriReference ? "is not a valid URI-reference (RFC 3986)"
            : type == CloudEventAttributeType.Uri ? "is not a valid absolute URI (RFC 3986)"
            : type == CloudEventAttributeType.Integer ? "is not a valid 32-bit integer"
            : type == CloudEventAttributeType.Boolean ? "is not 'true' or 'false'"
            : type == CloudEventAttributeType.Binary ? "is not valid base64"
            : type == CloudEventAttributeType.String ? "contains a control character or noncharacter, which string attributes do not permit"
            : $"is not a valid {type} value";
        return new CloudEventBindingException(
            CloudEventBindingError.InvalidAttributeValue, member,
            $"'{member}' (attribute '{attribute.Name}') {expected}.");
    }

    /// <summary>
    /// Whether the text uses only the characters RFC 3986 permits in a URI-reference, with every
    /// '%' starting a two-digit hex escape. (System.Uri alone accepts spaces and other characters
    /// in relative references.)
    /// </summary>
    internal static bool IsUriReferenceText(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsAsciiLetterOrDigit(c))
            {
                continue;
            }
            switch (c)
            {
                // unreserved, gen-delims, sub-delims
                case '-' or '.' or '_' or '~'
                    or ':' or '/' or '?' or '#' or '[' or ']' or '@'
                    or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=':
                    continue;
                case '%':
                    if (i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
                    {
                        i += 2;
                        continue;
                    }
                    return false;
                default:
                    return false;
            }
        }
        return true;
    }

    /// <summary>Whether the bytes start with the ASCII prefix, ignoring ASCII case.</summary>
    internal static bool StartsWithAsciiIgnoreCase(ReadOnlySpan<byte> bytes, string prefix)
    {
        if (bytes.Length < prefix.Length)
        {
            return false;
        }
        for (int i = 0; i < prefix.Length; i++)
        {
            int b = bytes[i];
            if (b is >= 'A' and <= 'Z')
            {
                b += 'a' - 'A';
            }
            if (b != prefix[i])
            {
                return false;
            }
        }
        return true;
    }

    internal static ContentType ParseContentType(string text, string header)
    {
        try
        {
            return new ContentType(text);
        }
        catch (FormatException)
        {
            throw new CloudEventBindingException(
                CloudEventBindingError.InvalidContentType, header, $"Header '{header}' is not a valid media type.");
        }
    }

    /// <summary>The exceptions formatters throw for content they cannot handle.</summary>
    internal static bool IsFormatterFailure(Exception e) =>
        e is not (CloudEventBindingException or OutOfMemoryException or OperationCanceledException);

    /// <summary>The canonical string form; values were validated when they were set on the event.</summary>
    internal static string FormatValue(CloudEventAttribute attribute, object value) => value switch
    {
        string text => text,
        Uri uri => uri.OriginalString,
        _ => attribute.Format(value),
    };

    /// <summary>
    /// Turns a formatter's failure to decode a structured or batch body into the binding's error.
    /// For JSON formats the body is inspected again (only on this failure path) so that the error
    /// names the attribute at fault, as binary mode does; otherwise it is <see cref="CloudEventBindingError.InvalidData"/>.
    /// </summary>
    /// <param name="body">The structured or batch body the formatter rejected.</param>
    /// <param name="contentType">The body's content type.</param>
    /// <param name="member">What to name for data-level errors ("value" for Kafka, "body" for HTTP).</param>
    /// <param name="failure">The formatter's exception; attached only to data-level errors, since attribute errors could quote values.</param>
    internal static CloudEventBindingException StructuredDecodingFailure(ReadOnlyMemory<byte> body, ContentType contentType, string member, Exception failure)
    {
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
                        if (DiagnoseJsonEvent(element) is { } batchError)
                        {
                            return batchError;
                        }
                    }
                }
                else if (DiagnoseJsonEvent(root) is { } error)
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
            $"The '{member}' is not a valid CloudEvents {(mediaType.StartsWith(BatchMediaTypePrefix, StringComparison.OrdinalIgnoreCase) ? "batch" : "structured-mode event")} of media type '{mediaType}'.",
            failure);
    }

    private static CloudEventBindingException? DiagnoseJsonEvent(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        if (!element.TryGetProperty("specversion", out var specVersion))
        {
            return new CloudEventBindingException(
                CloudEventBindingError.MissingRequiredAttribute, "specversion", "Required attribute 'specversion' is missing.");
        }
        if (specVersion.ValueKind == JsonValueKind.String && !TryGetString(specVersion, out _))
        {
            return NotUnicode("specversion");
        }
        if (specVersion.ValueKind != JsonValueKind.String || specVersion.GetString() != V1.VersionId)
        {
            return new CloudEventBindingException(
                CloudEventBindingError.UnsupportedSpecVersion, "specversion",
                "Attribute 'specversion' names a CloudEvents version this binding does not support; only 1.0 is supported.");
        }
        CloudEventAttribute[] checkedAttributes = [V1.IdAttribute, V1.SourceAttribute, V1.TypeAttribute, V1.SubjectAttribute, V1.TimeAttribute, V1.DataSchemaAttribute, V1.DataContentTypeAttribute];
        foreach (var attribute in checkedAttributes)
        {
            if (!element.TryGetProperty(attribute.Name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (attribute.IsRequired)
                {
                    return new CloudEventBindingException(
                        CloudEventBindingError.MissingRequiredAttribute, attribute.Name, $"Required attribute '{attribute.Name}' is missing.");
                }
                continue;
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
                return new CloudEventBindingException(
                    CloudEventBindingError.InvalidAttributeValue, attribute.Name,
                    $"Required attribute '{attribute.Name}' is empty; it must be a non-empty string.");
            }
            var type = attribute.Type;
            if ((type == CloudEventAttributeType.UriReference || type == CloudEventAttributeType.Uri) && !IsUriReferenceText(text))
            {
                return InvalidValue(attribute, attribute.Name);
            }
            try
            {
                attribute.Parse(text);
            }
            catch (ArgumentException)
            {
                return InvalidValue(attribute, attribute.Name);
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
        }
        return null;
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
