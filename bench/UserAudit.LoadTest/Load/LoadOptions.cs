namespace UserAudit.LoadTest.Load;

/// <summary>What the virtual clients do.</summary>
public enum Workload
{
    /// <summary>Creates, renames, password changes and deletes (10/80/5/5 %), like a busy user directory.</summary>
    Mixed,

    /// <summary>Renames of users created before the measured phase: no password hashing.</summary>
    Renames,

    /// <summary>Creates only: bound by the password hash.</summary>
    Creates,

    /// <summary>Password changes of users created before the measured phase: bound by the password hash.</summary>
    Passwords,

    /// <summary>
    /// Renames, creates, password changes and deletes (99/0.5/0.25/0.25 %; a client never deletes its
    /// last user), for a long run at a fixed rate. Creates and password changes cost a PBKDF2 hash
    /// (210,000 iterations); UserService hashes one at a time on two cores, about 8.5 a second:
    /// <see cref="Mixed"/>'s 15 % of hashing requests caps it near 60 requests/s, while 0.75 % asks
    /// 3.75 hashes a second at 500 requests/s, under half of what the hashing slot does.
    /// </summary>
    Soak,
}

/// <summary>One load run against a running UserService and AuditService.</summary>
public sealed record LoadOptions
{
    /// <summary>UserService base address.</summary>
    public required Uri UserService { get; init; }

    /// <summary>AuditService base address; null runs the load without watching or checking the audit store.</summary>
    public Uri? AuditService { get; init; }

    /// <summary>AuditService's API key.</summary>
    public string? AuditApiKey { get; init; }

    /// <summary>Who to sign in to UserService as (an administrator); null sends no token (a peer or baseline that takes none).</summary>
    public SignInCredentials? SignIn { get; init; }

    /// <summary>Concurrent clients, each with its own connection and its own users.</summary>
    public int Connections { get; init; } = 32;

    /// <summary>Length of the measured phase.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Stop the measured phase after this many requests, if that comes before <see cref="Duration"/>.</summary>
    public long? Requests { get; init; }

    /// <summary>
    /// Open-loop target in requests per second over all clients; null sends as fast as the answers
    /// come (closed loop). With a rate, latency counts from the moment a request was due, so a
    /// stalled server is not flattered by the requests it kept from being sent.
    /// </summary>
    public double? Rate { get; init; }

    /// <summary>What the clients do.</summary>
    public Workload Workload { get; init; } = Workload.Mixed;

    /// <summary>Users the clients take over instead of creating their own (for baselines without a create endpoint).</summary>
    public IReadOnlyList<KnownUser>? ExistingUsers { get; init; }

    /// <summary>How the audit API is followed: its live stream (the default) or polling.</summary>
    public AuditWatch Watch { get; init; } = AuditWatch.Stream;

    /// <summary>With <see cref="AuditWatch.Poll"/>: how often the audit API is asked for new events, the resolution of the freshness figures.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>Longest wait, after the last request, for every acknowledged change to be audited.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Per-request timeout.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>CloudEvents <c>source</c> of UserService's events.</summary>
    public string EventSource { get; init; } = "urn:useraudit:user-service";

    /// <summary>Process names whose resident memory is sampled during the run (Linux).</summary>
    public IReadOnlyList<string> Processes { get; init; } = ["UserService", "AuditService"];

    /// <summary>Seed of the clients' random choices.</summary>
    public int Seed { get; init; } = 20261126;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (!UserService.IsAbsoluteUri)
        {
            throw new ArgumentException("The UserService address must be absolute.", nameof(UserService));
        }

        if (AuditService is not null && string.IsNullOrEmpty(AuditApiKey))
        {
            throw new ArgumentException("Watching the audit store needs AuditService's API key.", nameof(AuditApiKey));
        }

        if (Connections is < 1 or > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(Connections), Connections, "Connections must be 1 to 4096.");
        }

        if (Duration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Duration), Duration, "Duration must be positive.");
        }

        if (Requests is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Requests), Requests, "Requests must be positive.");
        }

        if (Rate is { } rate && (double.IsNaN(rate) || rate <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Rate), Rate, "Rate must be a positive number of requests per second.");
        }

        if (PollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(PollInterval), PollInterval, "The poll interval must be positive.");
        }
    }
}
