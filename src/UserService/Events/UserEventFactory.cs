using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using UserAudit.ServiceDefaults.Kafka;
using UserService.Outbox;

namespace UserService.Events;

/// <summary>Builds the outbox messages of user changes, stamped with the current trace context.</summary>
public sealed class UserEventFactory(TimeProvider time)
{
    /// <summary>An event whose data is just the user id.</summary>
    public OutboxMessage Create(string type, string userId) =>
        Message(type, userId, JsonSerializer.Serialize(new UserEventData(userId), UserEventJsonContext.Default.UserEventData));

    /// <summary>The "updated" event naming the changed fields.</summary>
    public OutboxMessage Updated(string userId, IReadOnlyList<string> changedFields) =>
        Message(UserEventTypes.Updated, userId, JsonSerializer.Serialize(new UserUpdatedEventData(userId, changedFields), UserEventJsonContext.Default.UserUpdatedEventData));

    private OutboxMessage Message(string type, string userId, string data)
    {
        var activity = Activity.Current;
        return new OutboxMessage(
            Guid.CreateVersion7().ToString(),
            type,
            userId,
            time.GetUtcNow(),
            data,
            activity is null ? null : TraceHeaders.Format(activity.Context),
            activity?.TraceStateString);
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(UserEventData))]
[JsonSerializable(typeof(UserUpdatedEventData))]
internal sealed partial class UserEventJsonContext : JsonSerializerContext;
