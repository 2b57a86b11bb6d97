using CloudNative.CloudEvents;

namespace UserAudit.CloudEvents.Core;

/// <summary>The errors for attribute values, worded alike by every binding and never quoting a value.</summary>
public static class AttributeErrors
{
    /// <summary>The error for a value that is invalid for its attribute, saying what was expected.</summary>
    /// <param name="attribute">The attribute.</param>
    /// <param name="member">The header or attribute to name.</param>
    public static CloudEventBindingException InvalidValue(CloudEventAttribute attribute, string member)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        if (attribute == CloudEventsSpecVersion.V1_0.DataContentTypeAttribute)
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

    /// <summary>The error for a REQUIRED attribute that is absent.</summary>
    /// <param name="attributeName">The attribute.</param>
    /// <param name="member">The header or attribute to name.</param>
    public static CloudEventBindingException Missing(string attributeName, string member) =>
        new(CloudEventBindingError.MissingRequiredAttribute, member,
            member == attributeName
                ? $"Required attribute '{attributeName}' is missing."
                : $"Required attribute '{attributeName}' is missing ('{member}').");

    /// <summary>The error for an attribute that must be a non-empty string when present (<c>id</c>, <c>subject</c>, ...) and is empty.</summary>
    /// <param name="attributeName">The attribute.</param>
    /// <param name="member">The header or attribute to name.</param>
    public static CloudEventBindingException Empty(string attributeName, string member) =>
        new(CloudEventBindingError.InvalidAttributeValue, member,
            member == attributeName
                ? $"Attribute '{attributeName}' is empty; it must be a non-empty string."
                : $"Attribute '{attributeName}' is empty ('{member}'); it must be a non-empty string.");

    /// <summary>The error for a <c>specversion</c> other than 1.0.</summary>
    /// <param name="member">The header or attribute to name.</param>
    public static CloudEventBindingException UnsupportedSpecVersion(string member) =>
        new(CloudEventBindingError.UnsupportedSpecVersion, member,
            $"'{member}' names a CloudEvents version this binding does not support; only 1.0 is supported.");
}
