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

    /// <summary>
    /// Absolute base URI of the event JSON Schemas (this service serves them at
    /// <c>/v1/schemas/</c>); events carry <c>dataschema</c> = base + schema file. No dataschema when unset.
    /// </summary>
    public Uri? SchemaBaseUri { get; set; }
}

/// <summary>The JSON Schema file of each event type's data (docs/schemas, embedded in this service).</summary>
public static class UserEventSchemas
{
    /// <summary>Schema file name of <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException">The type is not one of <see cref="UserEventTypes"/>.</exception>
    public static string FileOf(string type) => type switch
    {
        UserEventTypes.Created => "user.created.v1.json",
        UserEventTypes.Updated => "user.updated.v1.json",
        UserEventTypes.PasswordChanged => "user.password_changed.v1.json",
        UserEventTypes.Deleted => "user.deleted.v1.json",
        _ => throw new ArgumentException($"Unknown event type '{type}'.", nameof(type)),
    };

    /// <summary>Opens an embedded schema by file name, or null when there is none.</summary>
    public static Stream? Open(string file) =>
        typeof(UserEventSchemas).Assembly.GetManifestResourceStream("schemas/" + file);
}

/// <summary>Data of <see cref="UserEventTypes.Created"/>, <see cref="UserEventTypes.PasswordChanged"/> and <see cref="UserEventTypes.Deleted"/>.</summary>
/// <param name="Id">The user id.</param>
public sealed record UserEventData(string Id);

/// <summary>Data of <see cref="UserEventTypes.Updated"/>.</summary>
/// <param name="Id">The user id.</param>
/// <param name="ChangedFields">Names of the fields that changed.</param>
public sealed record UserUpdatedEventData(string Id, IReadOnlyList<string> ChangedFields);
