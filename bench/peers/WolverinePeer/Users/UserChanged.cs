using Wolverine;

namespace WolverinePeer.Users;

/// <summary>
/// The message the peer publishes for each change. Not a CloudEvent: it carries what identifies
/// the change (user, version, UserService's event type name), which is what the load generator's
/// exactly-once check reads.
/// </summary>
/// <param name="UserId">The user, also the Kafka key.</param>
/// <param name="Version">The user's version after the change.</param>
/// <param name="Type">UserService's CloudEvents type of the same change.</param>
/// <param name="ChangedFields">For updates: the fields that changed.</param>
/// <param name="Time">When the change happened.</param>
public sealed record UserChanged(string UserId, long Version, string Type, IReadOnlyList<string>? ChangedFields, DateTimeOffset Time)
{
    /// <summary>UserService's type of a creation.</summary>
    public const string Created = "org.useraudit.user.created.v1";

    /// <summary>UserService's type of a rename.</summary>
    public const string Updated = "org.useraudit.user.updated.v1";

    /// <summary>UserService's type of a password change.</summary>
    public const string PasswordChanged = "org.useraudit.user.password_changed.v1";

    /// <summary>UserService's type of a deletion.</summary>
    public const string Deleted = "org.useraudit.user.deleted.v1";

    /// <summary>Publishes with the user id as the Kafka key (Wolverine's Kafka sender keys by partition key), as UserService does.</summary>
    public static DeliveryOptions KeyedBy(string userId) => new() { PartitionKey = userId };
}
