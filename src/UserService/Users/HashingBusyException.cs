namespace UserService.Users;

/// <summary>Every password-hashing slot is taken and the queue is full: the caller should retry shortly (503 with Retry-After).</summary>
public sealed class HashingBusyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public HashingBusyException()
        : base("Too many password operations are running; retry in a moment.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public HashingBusyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public HashingBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>How long the caller should wait before trying again.</summary>
    public static TimeSpan RetryAfter { get; } = TimeSpan.FromSeconds(1);
}
