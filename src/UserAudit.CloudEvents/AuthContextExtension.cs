using CloudNative.CloudEvents;

namespace UserAudit.CloudEvents;

/// <summary>
/// The CloudEvents Auth Context extension: who caused an event. <c>authtype</c> says what kind of
/// principal (<see cref="AuthTypes"/>), <c>authid</c> which one. Informational: it records the
/// actor, it does not secure the event.
/// </summary>
public static class AuthContextExtension
{
    /// <summary>The <c>authtype</c> attribute (string): the kind of principal.</summary>
    public static CloudEventAttribute AuthType { get; } = CloudEventAttribute.CreateExtension("authtype", CloudEventAttributeType.String);

    /// <summary>The <c>authid</c> attribute (string): the principal's unique id, when there is one.</summary>
    public static CloudEventAttribute AuthId { get; } = CloudEventAttribute.CreateExtension("authid", CloudEventAttributeType.String);

    /// <summary>Both attributes of the extension, to pass as extension attributes when decoding.</summary>
    public static IEnumerable<CloudEventAttribute> AllAttributes { get; } = [AuthType, AuthId];

    /// <summary>Sets the actor on the event; a null <paramref name="authId"/> removes <c>authid</c>.</summary>
    /// <param name="cloudEvent">The event to modify.</param>
    /// <param name="authType">One of <see cref="AuthTypes"/>.</param>
    /// <param name="authId">The principal's id, or null.</param>
    /// <returns>The same event, for chaining.</returns>
    public static CloudEvent SetAuthContext(this CloudEvent cloudEvent, string authType, string? authId)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        ArgumentException.ThrowIfNullOrEmpty(authType);
        cloudEvent[AuthType] = authType;
        cloudEvent[AuthId] = authId;
        return cloudEvent;
    }
}
