using Microsoft.EntityFrameworkCore;
using Wolverine.EntityFrameworkCore;

namespace WolverinePeer.Users;

/// <summary>
/// Wolverine's documented EF Core outbox outside a Wolverine handler: change the entity, publish
/// through <see cref="IDbContextOutbox{T}"/>, then <c>SaveChangesAndFlushMessagesAsync</c>, which
/// saves the entity and the outgoing envelope in one SaveChanges and hands the envelope to the sender.
/// </summary>
public sealed class EfCoreUserWriter(IDbContextOutbox<PeerDbContext> outbox) : IUserWriter
{
    /// <inheritdoc />
    public async Task CreateAsync(User user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        outbox.DbContext.Users.Add(user);
        await outbox.PublishAsync(new UserChanged(user.Id, user.Version, UserChanged.Created, null, user.CreatedAt), UserChanged.KeyedBy(user.Id));
        await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<(WriteOutcome Outcome, User? User)> UpdateAsync(string id, long? expectedVersion, UserUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        var user = await outbox.DbContext.Users.FindAsync([id], cancellationToken);
        if (VersionCheck.Refuses(user, expectedVersion, out var refused))
        {
            return (refused, user);
        }

        var events = update.ApplyTo(user);
        if (events.Count == 0)
        {
            return (WriteOutcome.Done, user);
        }

        foreach (var message in events)
        {
            await outbox.PublishAsync(message, UserChanged.KeyedBy(id));
        }

        try
        {
            await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return (WriteOutcome.VersionMismatch, null); // changed between the read and the write
        }

        return (WriteOutcome.Done, user);
    }

    /// <inheritdoc />
    public async Task<WriteOutcome> DeleteAsync(string id, long? expectedVersion, DateTimeOffset time, CancellationToken cancellationToken)
    {
        var user = await outbox.DbContext.Users.FindAsync([id], cancellationToken);
        if (VersionCheck.Refuses(user, expectedVersion, out var refused))
        {
            return refused;
        }

        outbox.DbContext.Users.Remove(user);
        await outbox.PublishAsync(new UserChanged(id, user.Version, UserChanged.Deleted, null, time), UserChanged.KeyedBy(id));
        try
        {
            await outbox.SaveChangesAndFlushMessagesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return WriteOutcome.VersionMismatch;
        }

        return WriteOutcome.Done;
    }
}
