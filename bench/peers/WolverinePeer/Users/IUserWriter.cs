namespace WolverinePeer.Users;

/// <summary>
/// Writes a user change and its messages through Wolverine's outbox in one transaction. One
/// implementation per outbox mode, so the HTTP shape in front of them is the same.
/// </summary>
public interface IUserWriter
{
    /// <summary>Inserts the user and publishes its creation.</summary>
    Task CreateAsync(User user, CancellationToken cancellationToken);

    /// <summary>Applies <paramref name="update"/> when the version matches (any when null).</summary>
    Task<(WriteOutcome Outcome, User? User)> UpdateAsync(string id, long? expectedVersion, UserUpdate update, CancellationToken cancellationToken);

    /// <summary>Deletes the user when the version matches (any when null) and publishes the deletion.</summary>
    Task<WriteOutcome> DeleteAsync(string id, long? expectedVersion, DateTimeOffset time, CancellationToken cancellationToken);
}
