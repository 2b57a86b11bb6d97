using System.Globalization;
using Microsoft.Data.Sqlite;

namespace UserAudit.LoadTest.Load;

/// <summary>
/// UserService's outbox rows not yet delivered to Kafka, read from its SQLite file beside the
/// running service. Each read opens the file read-only, unpooled, runs one count on the partial
/// index of pending rows and closes it again: no read transaction stays open between samples, so
/// the service's checkpoints are never held back by this reader.
/// </summary>
public static class OutboxBacklog
{
    /// <summary>The number of undelivered rows; null when the file is missing or cannot be read now.</summary>
    /// <param name="database">UserService's database file (<c>users.db</c>).</param>
    public static long? Read(string database)
    {
        if (!File.Exists(database))
        {
            return null;
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = database,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            // Seconds to wait on a lock: a sample is taken again in a few seconds anyway.
            DefaultTimeout = 2,
        }.ToString();
        try
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM outbox WHERE delivered_at IS NULL";
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        catch (SqliteException)
        {
            return null;
        }
    }
}
