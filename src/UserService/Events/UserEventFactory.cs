using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using UserAudit.ServiceDefaults.Kafka;
using UserService.Outbox;
using UserService.Sessions;

namespace UserService.Events;

/// <summary>
/// Builds the outbox messages of user changes, stamped with the current trace context. An event's
/// <c>time</c> is when its change happened (the user's <c>createdAt</c> or <c>updatedAt</c>), so
/// the audit trail and the user agree to the tick.
/// </summary>
public sealed class UserEventFactory
{
    /// <summary>An event whose data is the user id and the version the change produced.</summary>
    /// <param name="type">One of <see cref="UserEventTypes"/>.</param>
    /// <param name="userId">The user.</param>
    /// <param name="version">The user's version after the change.</param>
    /// <param name="time">When the change happened.</param>
    /// <param name="actor">Who made the change.</param>
    public OutboxMessage Create(string type, string userId, long version, DateTimeOffset time, Actor actor) =>
        Message(type, userId, time, actor, JsonSerializer.Serialize(new UserEventData(userId, version), UserEventJsonContext.Default.UserEventData));

    /// <summary>The "updated" event naming the changed fields.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="version">The user's version after the change.</param>
    /// <param name="changedFields">Names of the fields that changed.</param>
    /// <param name="time">When the change happened.</param>
    /// <param name="actor">Who made the change.</param>
    public OutboxMessage Updated(string userId, long version, IReadOnlyList<string> changedFields, DateTimeOffset time, Actor actor) =>
        Message(UserEventTypes.Updated, userId, time, actor,
            JsonSerializer.Serialize(new UserUpdatedEventData(userId, version, changedFields), UserEventJsonContext.Default.UserUpdatedEventData));

    /// <summary>A session event (signed in, sign-in failed, locked out, tokens revoked); never carries a password or a token.</summary>
    /// <param name="type">One of the session types of <see cref="UserEventTypes"/>.</param>
    /// <param name="data">Its data.</param>
    /// <param name="time">When it happened.</param>
    /// <param name="actor">Who caused it.</param>
    public OutboxMessage Session(string type, SessionEventData data, DateTimeOffset time, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Message(type, data.Id, time, actor, JsonSerializer.Serialize(data, UserEventJsonContext.Default.SessionEventData));
    }

    private static OutboxMessage Message(string type, string userId, DateTimeOffset time, Actor actor, string data)
    {
        var activity = Activity.Current;
        return new OutboxMessage(
            Guid.CreateVersion7().ToString(),
            type,
            userId,
            time,
            data,
            activity is null ? null : TraceHeaders.Format(activity.Context),
            activity?.TraceStateString,
            actor.AuthType,
            actor.AuthId);
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(UserEventData))]
[JsonSerializable(typeof(UserUpdatedEventData))]
[JsonSerializable(typeof(SessionEventData))]
internal sealed partial class UserEventJsonContext : JsonSerializerContext;
