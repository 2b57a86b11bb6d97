namespace UserService.Outbox;

/// <summary>
/// Some rows of a relay round were not acknowledged by the broker. The others were marked
/// delivered; these stay pending, and the relay's retry policy backs off before the next round.
/// </summary>
public sealed class OutboxDeliveryIncompleteException : Exception
{
    /// <summary>Creates the exception for <paramref name="failed"/> unacknowledged rows.</summary>
    /// <param name="failed">How many rows were not acknowledged.</param>
    public OutboxDeliveryIncompleteException(int failed)
        : base($"{failed} outbox row(s) were not acknowledged by Kafka; they stay pending and are retried.") => Failed = failed;

    /// <summary>Creates the exception.</summary>
    public OutboxDeliveryIncompleteException()
        : this(0)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public OutboxDeliveryIncompleteException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public OutboxDeliveryIncompleteException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>How many rows were not acknowledged.</summary>
    public int Failed { get; }
}
