namespace WolverinePeer;

/// <summary>How the peer writes a change and its message.</summary>
public enum OutboxMode
{
    /// <summary>Wolverine's documented EF Core outbox: a DbContext with Wolverine's envelope mapping and <c>IDbContextOutbox&lt;T&gt;</c>.</summary>
    EfCore,

    /// <summary>Wolverine's outbox enlisted in a raw ADO.NET transaction: no ORM, the peer's fastest.</summary>
    AdoNet,
}
