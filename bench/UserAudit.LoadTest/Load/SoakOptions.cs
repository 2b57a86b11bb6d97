using System.Text.Json.Serialization;
using UserAudit.ServiceDefaults.Storage;

namespace UserAudit.LoadTest.Load;

/// <summary>What a soak samples beside its load (<see cref="LoadOptions"/>), and its limits.</summary>
public sealed record SoakOptions
{
    /// <summary>The AppHost's <c>UserAudit:DataRoot</c>: UserService's file is under <c>user-service/</c>, AuditService's under <c>audit-service/</c>.</summary>
    public required string DataRoot { get; init; }

    /// <summary>Kafka's bootstrap servers.</summary>
    public string Kafka { get; init; } = "localhost:9092";

    /// <summary>AuditService's consumer group.</summary>
    public string Group { get; init; } = "audit";

    /// <summary>The topic UserService publishes to and AuditService reads.</summary>
    public string Topic { get; init; } = "audit";

    /// <summary>Time between two samples.</summary>
    [JsonIgnore]
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><see cref="SampleInterval"/> in seconds, for the JSON.</summary>
    public double SampleIntervalSeconds => SampleInterval.TotalSeconds;

    /// <summary>
    /// No WAL file may ever be larger than this (MiB). Twice <see cref="WalCheckpointMiB"/>: a WAL
    /// that grows that far means its checkpoints no longer complete (a reader holds them back).
    /// </summary>
    public double WalLimitMiB { get; init; } = 2 * DefaultWalCheckpointMiB;

    /// <summary>
    /// WAL size at which the services checkpoint (their <c>Storage:WalAutoCheckpointPages</c> of 4 KiB
    /// pages, 64 MiB by default). A WAL file fills up to about this size, then is reused from its
    /// start without shrinking: growth up to it is filling, not a leak.
    /// </summary>
    public double WalCheckpointMiB { get; init; } = DefaultWalCheckpointMiB;

    private static double DefaultWalCheckpointMiB => new StorageOptions().WalAutoCheckpointPages * 4096 / (1024.0 * 1024);

    /// <summary>Process names whose resident memory is sampled.</summary>
    public IReadOnlyList<string> Processes { get; init; } = ["UserService", "AuditService"];

    /// <summary>UserService's SQLite file, whose outbox is counted.</summary>
    public string UserDatabase => Path.Combine(DataRoot, "user-service", "users.db");
}
