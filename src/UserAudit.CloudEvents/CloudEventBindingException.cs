namespace UserAudit.CloudEvents;

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
