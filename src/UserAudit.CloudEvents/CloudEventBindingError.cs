namespace UserAudit.CloudEvents;

/// <summary>
/// What was wrong with a message that a CloudEvents protocol binding could not map to or from a
/// <see cref="CloudNative.CloudEvents.CloudEvent"/>.
/// </summary>
public enum CloudEventBindingError
{
    /// <summary>The message carries no CloudEvent: no <c>specversion</c> header and no CloudEvents content type.</summary>
    NotACloudEvent,

    /// <summary>A header that the binding reads is not valid UTF-8.</summary>
    InvalidUtf8Header,

    /// <summary>A header in the CloudEvents namespace does not map to an attribute (for example an upper-case or reserved name).</summary>
    UnmappableHeader,

    /// <summary>A header or attribute the binding reads appears more than once.</summary>
    DuplicateHeader,

    /// <summary>A REQUIRED attribute (<c>id</c>, <c>source</c>, <c>type</c>, <c>specversion</c>) is absent.</summary>
    MissingRequiredAttribute,

    /// <summary>The <c>specversion</c> is not one this binding supports ("1.0").</summary>
    UnsupportedSpecVersion,

    /// <summary>An attribute value is not valid for the attribute's type (timestamp, URI-reference, integer, ...).</summary>
    InvalidAttributeValue,

    /// <summary>The content type is malformed or names an event format the formatter cannot handle.</summary>
    InvalidContentType,

    /// <summary>A batch of events arrived where the protocol binding supports none (Kafka).</summary>
    BatchNotSupported,

    /// <summary>The message value or body could not be decoded by the event formatter.</summary>
    InvalidData,

    /// <summary>The message body is larger than the configured limit.</summary>
    BodyTooLarge,
}
