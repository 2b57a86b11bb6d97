using System.Data.Common;
using UserAudit.ServiceDefaults.Storage;
using UserService.Outbox;

namespace UserService.Sessions;

/// <summary>
/// Sign-in outcomes in the database, each with its events in the same transaction: consecutive
/// failures per account and the lockouts they cause (so a lockout survives a restart and holds on
/// every replica), and successes that clear them. Accounts are the ids tried, whether or not a
/// user has them: an unknown id locks exactly like a real one, so lockouts reveal nothing.
/// </summary>
public sealed class SignInStore(ServiceDatabase database, OutboxStore outbox, OutboxSignal signal)
{
    /// <summary>When the account's lockout ends, or null when it is not locked at <paramref name="now"/>.</summary>
    public async Task<DateTimeOffset?> LockedUntilAsync(string account, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT locked_until FROM sign_in_failures WHERE account = @account AND locked_until > @now";
        command.AddParameter("@account", account);
        command.AddParameter("@now", now.ToUnixTimeMilliseconds());
        return await command.ExecuteScalarAsync(cancellationToken) is long until ? DateTimeOffset.FromUnixTimeMilliseconds(until) : null;
    }

    /// <summary>
    /// Counts a failure; the <paramref name="maxFailures"/>-th in a row locks the account until
    /// <paramref name="now"/> + <paramref name="lockout"/> and starts a new count. The events
    /// <paramref name="events"/> makes of the outcome are written in the same transaction.
    /// </summary>
    /// <returns>When the lockout this failure caused ends, or null when it caused none.</returns>
    public async Task<DateTimeOffset?> RecordFailureAsync(
        string account, int maxFailures, TimeSpan lockout, DateTimeOffset now, Func<DateTimeOffset?, IEnumerable<OutboxMessage>> events,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO sign_in_failures (account, failures, locked_until) VALUES (@account, 1, NULL)
            ON CONFLICT (account) DO UPDATE SET failures = sign_in_failures.failures + 1
            RETURNING failures
            """;
        command.AddParameter("@account", account);
        var failures = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        DateTimeOffset? until = null;
        if (failures >= maxFailures)
        {
            until = now + lockout;
            command.CommandText = "UPDATE sign_in_failures SET failures = 0, locked_until = @until WHERE account = @account";
            command.AddParameter("@until", until.Value.ToUnixTimeMilliseconds());
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await AddAsync(connection, transaction, events(until), cancellationToken);
        return until;
    }

    /// <summary>Forgets the account's failures after a successful sign-in and writes its event.</summary>
    public async Task RecordSuccessAsync(string account, OutboxMessage signedIn, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM sign_in_failures WHERE account = @account";
        command.AddParameter("@account", account);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await AddAsync(connection, transaction, [signedIn], cancellationToken);
    }

    /// <summary>Writes the event of an attempt refused without counting it (the account is already locked).</summary>
    public async Task RecordRefusalAsync(OutboxMessage refused, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await AddAsync(connection, transaction, [refused], cancellationToken);
    }

    private async Task AddAsync(DbConnection connection, DbTransaction transaction, IEnumerable<OutboxMessage> events, CancellationToken cancellationToken)
    {
        foreach (var message in events)
        {
            await outbox.AddAsync(connection, transaction, message, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        signal.Notify();
    }
}
