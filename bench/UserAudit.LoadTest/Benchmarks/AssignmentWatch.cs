using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>
/// The partitions one hosted AuditService replica holds, followed from its consumer's structured
/// rebalance log entries (<c>Partitions {Change}: {Partitions}</c>, assigned, revoked or lost)
/// since its rebalance listener slot is taken by the ingestion itself:
/// how the drain knows every replica has joined before it sends the events.
/// </summary>
public sealed class AssignmentWatch : ILoggerProvider, ILogger
{
    private readonly HashSet<string> _held = [];

    /// <summary>How many partitions the replica holds now.</summary>
    public int Held
    {
        get
        {
            lock (_held)
            {
                return _held.Count;
            }
        }
    }

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => categoryName.StartsWith("Confluent.Kafka.Consumer", StringComparison.Ordinal) ? this : NullLoggerInstance;

    /// <inheritdoc/>
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    /// <inheritdoc/>
    public bool IsEnabled(LogLevel logLevel) => logLevel == LogLevel.Information;

    /// <inheritdoc/>
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (state is not IReadOnlyList<KeyValuePair<string, object?>> fields
            || Field(fields, "Change").Value is not string change
            || Field(fields, "Partitions").Value is not string partitions)
        {
            return;
        }

        lock (_held)
        {
            // The logging generator renders the list as text: ["topic [[0]]","topic [[1]]"].
            foreach (var partition in Regex.Matches(partitions, "\"([^\"]+)\"").Select(m => m.Groups[1].Value))
            {
                _ = change == "assigned" ? _held.Add(partition) : _held.Remove(partition);
            }
        }
    }

    // Names as the template has them or as the logging method's parameters (the generator's choice).
    private static KeyValuePair<string, object?> Field(IReadOnlyList<KeyValuePair<string, object?>> fields, string name) =>
        fields.FirstOrDefault(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private static readonly ILogger NullLoggerInstance = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
}
