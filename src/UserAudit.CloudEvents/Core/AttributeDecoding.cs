using CloudNative.CloudEvents;

namespace UserAudit.CloudEvents.Core;

/// <summary>
/// Reading attributes from the text a binding found in a header: which attribute a name means and
/// how its canonical string form becomes a typed value.
/// </summary>
public static class AttributeDecoding
{
    private static readonly CloudEventAttribute SourceAttribute = CloudEventsSpecVersion.V1_0.SourceAttribute;

    /// <summary>
    /// The last source parsed. A producer's events share one source, and parsing a
    /// <see cref="Uri"/> is a large part of decoding a header, so the immutable instance is reused.
    /// </summary>
    private static ParsedSource? LastParsed;

    private sealed record ParsedSource(string Text, Uri Uri);

    /// <summary>Whether the name is a valid CloudEvents attribute name: non-empty, lower-case ASCII letters and digits.</summary>
    /// <param name="name">The name to check.</param>
    public static bool IsValidName(ReadOnlySpan<char> name)
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
    /// Finds the attribute definition for a name read from a header: a supplied or known
    /// extension, a context attribute, or a new string extension for unknown names.
    /// </summary>
    /// <param name="cloudEvent">The event being decoded (it knows the caller's extension definitions).</param>
    /// <param name="known">The known attribute the header maps to, if any.</param>
    /// <param name="attributeName">The attribute name the header carries.</param>
    /// <param name="header">The header, to name in errors.</param>
    /// <exception cref="CloudEventBindingException">The name cannot be an attribute carried in its own header (<see cref="CloudEventBindingError.UnmappableHeader"/>).</exception>
    public static CloudEventAttribute Resolve(CloudEvent cloudEvent, KnownAttributeEntry? known, string attributeName, string header)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (known is not null)
        {
            // An extension definition supplied by the caller wins over the built-in string one.
            var attribute = known.Attribute;
            return attribute.IsExtension ? cloudEvent.GetAttribute(attribute.Name) ?? attribute : attribute;
        }

        if (!IsValidName(attributeName))
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

    /// <summary>Parses <paramref name="text"/> as the value of <paramref name="attribute"/> and sets it on the event.</summary>
    /// <param name="cloudEvent">The event being decoded.</param>
    /// <param name="attribute">The attribute the text is for.</param>
    /// <param name="text">The canonical string form of the value.</param>
    /// <param name="member">The header or attribute to name in errors.</param>
    /// <param name="checkDuplicate">False when the caller already knows the attribute is not set yet.</param>
    /// <exception cref="CloudEventBindingException">The attribute is already set (<see cref="CloudEventBindingError.DuplicateHeader"/>) or the text
    /// is invalid for it (<see cref="CloudEventBindingError.InvalidAttributeValue"/>).</exception>
    public static void Set(CloudEvent cloudEvent, CloudEventAttribute attribute, string text, string member, bool checkDuplicate = true)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        ArgumentNullException.ThrowIfNull(attribute);
        if (checkDuplicate && cloudEvent[attribute.Name] is not null)
        {
            throw new CloudEventBindingException(
                CloudEventBindingError.DuplicateHeader, member,
                $"Header '{member}' appears more than once; attribute '{attribute.Name}' must have exactly one value.");
        }

        var type = attribute.Type;
        if ((type == CloudEventAttributeType.UriReference || type == CloudEventAttributeType.Uri) && !UriReference.IsValid(text))
        {
            throw AttributeErrors.InvalidValue(attribute, member);
        }

        try
        {
            // Strings need no parsing; the indexer validates them once. Timestamps take a fast path.
            cloudEvent[attribute] =
                type == CloudEventAttributeType.String ? text
                : type == CloudEventAttributeType.Timestamp && Rfc3339Timestamp.TryParse(text, out var timestamp) ? timestamp
                : attribute == SourceAttribute ? ParseSource(text)
                : attribute.Parse(text);
        }
        catch (ArgumentException)
        {
            // The SDK's message quotes the value, so it is not attached. An empty string fails only
            // the SDK's non-empty check (id, subject, ...), so say that rather than guess.
            throw text.Length == 0 ? AttributeErrors.Empty(attribute.Name, member) : AttributeErrors.InvalidValue(attribute, member);
        }
    }

    private static Uri ParseSource(string text)
    {
        var cached = Volatile.Read(ref LastParsed);
        if (cached is not null && string.Equals(cached.Text, text, StringComparison.Ordinal))
        {
            return cached.Uri;
        }

        var uri = (Uri)SourceAttribute.Parse(text);
        Volatile.Write(ref LastParsed, new ParsedSource(text, uri));
        return uri;
    }
}
