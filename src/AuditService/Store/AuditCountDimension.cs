namespace AuditService.Store;

/// <summary>What <see cref="AuditEventStore.CountAsync"/> groups by.</summary>
public enum AuditCountDimension
{
    /// <summary>The event's <c>type</c>.</summary>
    Type,

    /// <summary>The UTC hour of the event's <c>time</c>.</summary>
    Hour,

    /// <summary>The event's actor: <c>authtype:authid</c>, or <c>authtype</c> alone when it names nobody; events without an auth context fall in no group.</summary>
    Actor,
}
