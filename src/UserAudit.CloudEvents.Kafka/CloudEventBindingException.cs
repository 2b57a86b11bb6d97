namespace UserAudit.CloudEvents.Kafka;

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

/// <summary>
/// The one exception type of the UserAudit CloudEvents bindings: a message could not be mapped to
/// or from a CloudEvent. <see cref="Error"/> says what kind of problem it is and
/// <see cref="Member"/> names the header or attribute at fault.
/// </summary>
/// <remarks>
/// <see cref="Exception.Message"/> names the header or attribute and the problem but never repeats
/// a header or attribute value, since values can carry secrets and messages end up in logs.
/// Where an inner exception is attached it comes from the event formatter or the CloudEvents SDK.
/// </remarks>
public sealed class CloudEventBindingException : Exception
{
    /// <summary>Creates an exception for the given problem.</summary>
    /// <param name="error">The kind of problem.</param>
    /// <param name="member">The header or attribute at fault, or null when no single one is.</param>
    /// <param name="message">A description that names the member and the problem, without values.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public CloudEventBindingException(CloudEventBindingError error, string? member, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
        Member = member;
    }

    /// <summary>Creates an exception with <see cref="CloudEventBindingError.InvalidData"/>.</summary>
    public CloudEventBindingException()
        : this(CloudEventBindingError.InvalidData, null, "The message could not be mapped to a CloudEvent.")
    {
    }

    /// <summary>Creates an exception with <see cref="CloudEventBindingError.InvalidData"/>.</summary>
    /// <param name="message">The description of the problem.</param>
    public CloudEventBindingException(string message)
        : this(CloudEventBindingError.InvalidData, null, message)
    {
    }

    /// <summary>Creates an exception with <see cref="CloudEventBindingError.InvalidData"/>.</summary>
    /// <param name="message">The description of the problem.</param>
    /// <param name="innerException">The underlying exception.</param>
    public CloudEventBindingException(string message, Exception? innerException)
        : this(CloudEventBindingError.InvalidData, null, message, innerException)
    {
    }

    /// <summary>The kind of problem.</summary>
    public CloudEventBindingError Error { get; }

    /// <summary>The header (for example <c>ce_time</c>) or attribute (for example <c>time</c>) at fault, if one is.</summary>
    public string? Member { get; }
}
