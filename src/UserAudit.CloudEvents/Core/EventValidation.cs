using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using CloudNative.CloudEvents;

namespace UserAudit.CloudEvents.Core;

/// <summary>
/// What the CloudEvents SDK leaves to bindings: specversion 1.0, the REQUIRED attributes present
/// and non-empty, URI-valued attributes well-formed, JSON data in UTF-8.
/// </summary>
public static class EventValidation
{
    private static readonly CloudEventsSpecVersion V1 = CloudEventsSpecVersion.V1_0;

    /// <summary>Checks a decoded event.</summary>
    /// <param name="cloudEvent">The decoded event.</param>
    /// <param name="memberPrefix">Prefix that turns an attribute name into the member to report ("ce_", "ce-", or "" for structured mode).</param>
    /// <param name="checkValues">Whether to check URI-valued attributes (binary decoding already did while parsing).</param>
    /// <returns>The same event.</returns>
    /// <exception cref="CloudEventBindingException">The event breaks a rule; the error names the member.</exception>
    public static CloudEvent Validate(CloudEvent cloudEvent, string memberPrefix, bool checkValues)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (cloudEvent.SpecVersion != V1)
        {
            throw AttributeErrors.UnsupportedSpecVersion(memberPrefix + "specversion");
        }

        RequireRequired(cloudEvent, memberPrefix);
        if (checkValues)
        {
            foreach (var pair in cloudEvent.GetPopulatedAttributes())
            {
                if (pair.Value is Uri uri && !UriReference.IsValid(uri.OriginalString))
                {
                    throw AttributeErrors.InvalidValue(pair.Key, memberPrefix + pair.Key.Name);
                }
            }
        }

        return cloudEvent;
    }

    /// <summary>Throws when the event lacks a REQUIRED attribute; called before encoding.</summary>
    /// <param name="cloudEvent">The event to encode.</param>
    /// <exception cref="CloudEventBindingException">id, source or type is missing or empty.</exception>
    public static void RequireEncodable(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        RequireRequired(cloudEvent, string.Empty);
    }

    /// <summary>
    /// Rejects JSON data whose bytes are not UTF-8. The formatter keeps JSON data as a
    /// <see cref="JsonElement"/> over the message's bytes, and System.Text.Json checks UTF-8 only
    /// when text is read from it, so such data would decode and then fail whoever stores or
    /// forwards the event.
    /// </summary>
    /// <param name="cloudEvent">The decoded event, data included.</param>
    /// <param name="member">What held the data: "data" in structured mode, "body" or "value" in binary mode.</param>
    /// <returns>The same event.</returns>
    /// <exception cref="CloudEventBindingException">The data is JSON that is not UTF-8 (<see cref="CloudEventBindingError.InvalidData"/>).</exception>
    public static CloudEvent RequireUtf8JsonData(CloudEvent cloudEvent, string member)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (cloudEvent.Data is JsonElement data && !Utf8.IsValid(JsonMarshal.GetRawUtf8Value(data)))
        {
            throw new CloudEventBindingException(
                CloudEventBindingError.InvalidData, member,
                $"The event data ('{member}') is JSON that is not valid UTF-8.");
        }

        return cloudEvent;
    }

    private static void RequireRequired(CloudEvent cloudEvent, string memberPrefix)
    {
        RequireNonEmpty(cloudEvent[V1.IdAttribute.Name] as string, V1.IdAttribute.Name, memberPrefix);
        RequireNonEmpty((cloudEvent[V1.SourceAttribute.Name] as Uri)?.OriginalString, V1.SourceAttribute.Name, memberPrefix);
        RequireNonEmpty(cloudEvent[V1.TypeAttribute.Name] as string, V1.TypeAttribute.Name, memberPrefix);
    }

    private static void RequireNonEmpty(string? value, string attributeName, string memberPrefix)
    {
        if (value is null)
        {
            throw AttributeErrors.Missing(attributeName, memberPrefix + attributeName);
        }

        if (value.Length == 0)
        {
            throw AttributeErrors.Empty(attributeName, memberPrefix + attributeName);
        }
    }
}
