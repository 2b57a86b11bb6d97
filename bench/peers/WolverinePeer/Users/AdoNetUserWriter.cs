using System.Globalization;
using Microsoft.Data.Sqlite;
using Wolverine;
using Wolverine.RDBMS;
using Wolverine.Runtime;
using WolverinePeer.Storage;

namespace WolverinePeer.Users;

/// <summary>
/// Wolverine's outbox enlisted in a raw ADO.NET transaction, as its SQL Server outbox sample does:
/// begin a transaction, enlist it with <c>EnlistInOutboxAsync(new DatabaseEnvelopeTransaction(...))</c>,
/// write the row and publish (the envelope is inserted in the same transaction), commit, then
/// <c>FlushOutgoingMessagesAsync</c> to hand the envelopes to the sender. No ORM in the way: the
/// peer's fastest mode.
/// </summary>
public sealed class AdoNetUserWriter(UserDatabase database, IMessageContext context) : IUserWriter
{
    // Enlisting and flushing are on the concrete context Wolverine registers, as in its sample.
    private readonly MessageContext _messaging = (MessageContext)context;

    private const string Columns = "id, name, password_hash, version, created_at, updated_at";

    /// <inheritdoc />
    public async Task CreateAsync(User user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await BeginAsync(connection, cancellationToken);
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = $"INSERT INTO users ({Columns}) VALUES ($id, $name, $hash, $version, $created, $updated)";
            Bind(insert, user);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await _messaging.PublishAsync(new UserChanged(user.Id, user.Version, UserChanged.Created, null, user.CreatedAt), UserChanged.KeyedBy(user.Id));
        await transaction.CommitAsync(cancellationToken);
        await _messaging.FlushOutgoingMessagesAsync();
    }

    /// <inheritdoc />
    public async Task<(WriteOutcome Outcome, User? User)> UpdateAsync(string id, long? expectedVersion, UserUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await BeginAsync(connection, cancellationToken);
        var user = await FindAsync(connection, transaction, id, cancellationToken);
        if (VersionCheck.Refuses(user, expectedVersion, out var refused))
        {
            return (refused, user);
        }

        var events = update.ApplyTo(user);
        if (events.Count == 0)
        {
            return (WriteOutcome.Done, user);
        }

        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "UPDATE users SET name = $name, password_hash = $hash, version = $version, updated_at = $updated WHERE id = $id";
            Bind(command, user);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var message in events)
        {
            await _messaging.PublishAsync(message, UserChanged.KeyedBy(id));
        }

        await transaction.CommitAsync(cancellationToken);
        await _messaging.FlushOutgoingMessagesAsync();
        return (WriteOutcome.Done, user);
    }

    /// <inheritdoc />
    public async Task<WriteOutcome> DeleteAsync(string id, long? expectedVersion, DateTimeOffset time, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await BeginAsync(connection, cancellationToken);
        var user = await FindAsync(connection, transaction, id, cancellationToken);
        if (VersionCheck.Refuses(user, expectedVersion, out var refused))
        {
            return refused;
        }

        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM users WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await _messaging.PublishAsync(new UserChanged(id, user.Version, UserChanged.Deleted, null, time), UserChanged.KeyedBy(id));
        await transaction.CommitAsync(cancellationToken);
        await _messaging.FlushOutgoingMessagesAsync();
        return WriteOutcome.Done;
    }

    // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default), like UserService; envelopes published from
    // here on are inserted in this transaction.
    private async Task<SqliteTransaction> BeginAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var store = (IMessageDatabase)_messaging.Storage;
        await _messaging.EnlistInOutboxAsync(new DatabaseEnvelopeTransaction(store, transaction));
        return transaction;
    }

    private static async Task<User?> FindAsync(SqliteConnection connection, SqliteTransaction transaction, string id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {Columns} FROM users WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new User
            {
                Id = reader.GetString(0),
                Name = reader.GetString(1),
                PasswordHash = reader.GetString(2),
                Version = reader.GetInt64(3),
                CreatedAt = DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture),
                UpdatedAt = DateTimeOffset.Parse(reader.GetString(5), CultureInfo.InvariantCulture),
            }
            : null;
    }

    private static void Bind(SqliteCommand command, User user)
    {
        command.Parameters.AddWithValue("$id", user.Id);
        command.Parameters.AddWithValue("$name", user.Name);
        command.Parameters.AddWithValue("$hash", user.PasswordHash);
        command.Parameters.AddWithValue("$version", user.Version);
        command.Parameters.AddWithValue("$created", user.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$updated", user.UpdatedAt.ToString("O", CultureInfo.InvariantCulture));
    }
}
