using System.ComponentModel.DataAnnotations;

namespace AuditService.Streaming;

/// <summary>The live stream <c>GET /v1/audit-events/stream</c>; section <c>Stream</c>.</summary>
public sealed class StreamOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Stream";

    /// <summary>Events read from the store at a time per stream: the most a stream holds in memory.</summary>
    [Range(1, 1_000)]
    public int PageSize { get; set; } = 100;

    /// <summary>
    /// Longest a stream waits without a wake-up before it looks at the store again: events stored by
    /// another replica sharing the database wake nobody here.
    /// </summary>
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Streams open at once; one more gets 503 with <c>Retry-After</c>.</summary>
    [Range(1, 10_000)]
    public int MaxStreams { get; set; } = 100;
}
