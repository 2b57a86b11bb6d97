using System.ComponentModel.DataAnnotations;

namespace UserAudit.KafkaBroker.Hosting;

/// <summary>Settings of the embedded broker, bound from the <c>Broker</c> configuration section.</summary>
public sealed class EmbeddedBrokerOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Broker";

    /// <summary>Loopback port to serve Kafka on; 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 9092;

    /// <summary>Loopback port of the HTTP endpoint (health, and the control API in Development); 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int HttpPort { get; set; }

    /// <summary>Host name advertised to clients in Metadata.</summary>
    [Required]
    public string AdvertisedHost { get; set; } = "localhost";

    /// <summary>Port advertised to clients; defaults to <see cref="Port"/>. Set it when a proxy sits in front.</summary>
    [Range(0, 65535)]
    public int? AdvertisedPort { get; set; }

    /// <summary>Topics to create at start, each <c>name:partitions</c>.</summary>
    public List<string> Topics { get; set; } = [];

    /// <summary>Delay before a new consumer group's first rebalance; 0 keeps development fast.</summary>
    [Range(0, 300_000)]
    public int InitialRebalanceDelayMs { get; set; }

    /// <summary>Parses <see cref="Topics"/>.</summary>
    /// <exception cref="FormatException">An entry is not <c>name:partitions</c> with a positive count.</exception>
    public IReadOnlyList<(string Name, int Partitions)> ParseTopics()
    {
        var topics = new List<(string, int)>(Topics.Count);
        foreach (var entry in Topics)
        {
            var separator = entry.LastIndexOf(':');
            var name = separator > 0 ? entry[..separator].Trim() : entry.Trim();
            var partitions = 1;
            if (name.Length == 0 || (separator > 0 && (!int.TryParse(entry.AsSpan(separator + 1), out partitions) || partitions < 1)))
            {
                throw new FormatException($"Broker:Topics entry '{entry}' is not 'name:partitions' with a positive partition count.");
            }

            topics.Add((name, partitions));
        }

        return topics;
    }
}
