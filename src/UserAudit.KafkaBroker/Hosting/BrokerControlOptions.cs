using System.ComponentModel.DataAnnotations;

namespace UserAudit.KafkaBroker.Hosting;

/// <summary>
/// Caps on what the control API may create, bound from <c>Broker:Control</c>. The mock cluster
/// keeps up to about 5 MB in memory per partition, so an unbounded API is a way to exhaust the
/// machine; the topics the AppHost declares at start are not counted.
/// </summary>
public sealed class BrokerControlOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Broker:Control";

    /// <summary>Most topics the control API creates over the broker's life.</summary>
    [Range(0, 1000)]
    public int MaxTopics { get; set; } = 16;

    /// <summary>Most partitions, all topics created by the control API together (about 5 MB each at most).</summary>
    [Range(0, 10_000)]
    public int MaxPartitions { get; set; } = 64;
}
