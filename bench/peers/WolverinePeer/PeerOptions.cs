using System.ComponentModel.DataAnnotations;

namespace WolverinePeer;

/// <summary>The peer's settings; section <c>Peer</c>. Kafka comes from <c>ConnectionStrings:kafka</c>, as for UserService.</summary>
public sealed class PeerOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Peer";

    /// <summary>Which outbox to write through.</summary>
    public OutboxMode Mode { get; set; } = OutboxMode.AdoNet;

    /// <summary>Folder of <c>users.db</c>; created when missing (UserService's <c>Storage:DataDirectory</c>).</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Kafka topic of the messages.</summary>
    [Required]
    public string Topic { get; set; } = "audit";
}
