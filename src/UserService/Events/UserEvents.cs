using System.ComponentModel.DataAnnotations;

namespace UserService.Events;

/// <summary>The CloudEvents UserService publishes. The catalog is docs/events.md.</summary>
public static class UserEventTypes
{
    /// <summary>A user was created.</summary>
    public const string Created = "org.useraudit.user.created.v1";

    /// <summary>A user's name changed (the data names the changed fields, never values of secrets).</summary>
    public const string Updated = "org.useraudit.user.updated.v1";

    /// <summary>A user's password changed (the data holds only the user id).</summary>
    public const string PasswordChanged = "org.useraudit.user.password_changed.v1";

    /// <summary>A user was deleted.</summary>
    public const string Deleted = "org.useraudit.user.deleted.v1";
}

/// <summary>Where and as whom events are published; section <c>Events</c>.</summary>
public sealed class EventOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Events";

    /// <summary>Kafka topic.</summary>
    [Required]
    public string Topic { get; set; } = "audit";

    /// <summary>CloudEvents <c>source</c>: an absolute URI naming this service.</summary>
    [Required]
    public Uri Source { get; set; } = new("urn:useraudit:user-service");
}

/// <summary>Data of <see cref="UserEventTypes.Created"/>, <see cref="UserEventTypes.PasswordChanged"/> and <see cref="UserEventTypes.Deleted"/>.</summary>
/// <param name="Id">The user id.</param>
public sealed record UserEventData(string Id);

/// <summary>Data of <see cref="UserEventTypes.Updated"/>.</summary>
/// <param name="Id">The user id.</param>
/// <param name="ChangedFields">Names of the fields that changed.</param>
public sealed record UserUpdatedEventData(string Id, IReadOnlyList<string> ChangedFields);
