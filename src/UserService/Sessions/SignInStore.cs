using UserAudit.ServiceDefaults.Storage;
using UserService.Outbox;
using UserService.Storage;

namespace UserService.Sessions;

/// <summary>
/// Sign-in outcomes in the database, each with its events in the same transaction: consecutive
/// failures per account and the lockouts they cause (so a lockout survives a restart and holds on
/// every replica), and successes that clear them. Accounts are the ids tried, whether or not a
/// user has them: an unknown id locks exactly like a real one, so lockouts reveal nothing.
/// </summary>
public sealed class SignInStore(ServiceDatabase database, GroupCommitWriter writer, OutboxStore outbox, OutboxSignal signal)
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
        var until = await writer.WriteAsync(scope =>
        {
            var count = scope.Command("""
                INSERT INTO sign_in_failures (account, failures, locked_until) VALUES (@account, 1, NULL)
                ON CONFLICT (account) DO UPDATE SET failures = sign_in_failures.failures + 1
                RETURNING failures
                """);
            count.AddParameter("@account", account);
            var failures = Convert.ToInt32(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            DateTimeOffset? until = null;
            if (failures >= maxFailures)
            {
                until = now + lockout;
                var lockCommand = scope.Command("UPDATE sign_in_failures SET failures = 0, locked_until = @until WHERE account = @account");
                lockCommand.AddParameter("@account", account);
                lockCommand.AddParameter("@until", until.Value.ToUnixTimeMilliseconds());
                lockCommand.Defer();
            }

            Add(scope, events(until));
            return until;
        }, cancellationToken);
        signal.Notify();
        return until;
    }

    /// <summary>Forgets the account's failures after a successful sign-in and writes its event.</summary>
    public async Task RecordSuccessAsync(string account, OutboxMessage signedIn, CancellationToken cancellationToken)
    {
        await writer.WriteAsync(scope =>
        {
            var command = scope.Command("DELETE FROM sign_in_failures WHERE account = @account");
            command.AddParameter("@account", account);
            command.Defer();
            Add(scope, [signedIn]);
            return true;
        }, cancellationToken);
        signal.Notify();
    }

    /// <summary>Writes the event of an attempt refused without counting it (the account is already locked).</summary>
    public async Task RecordRefusalAsync(OutboxMessage refused, CancellationToken cancellationToken)
    {
        await writer.WriteAsync(scope =>
        {
            Add(scope, [refused]);
            return true;
        }, cancellationToken);
        signal.Notify();
    }

    private void Add(WriteScope scope, IEnumerable<OutboxMessage> events)
    {
        foreach (var message in events)
        {
            outbox.Add(scope, message);
        }
    }
}
