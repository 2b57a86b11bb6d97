using System.ComponentModel.DataAnnotations;
using AuditService.Store;

namespace AuditService.Api;

/// <summary>
/// Bounds on the read API, so readers cannot take the memory or the cores ingestion needs; section
/// <c>Read</c>. A request beyond a bound gets 503 ProblemDetails with <c>Retry-After</c>.
/// </summary>
public sealed class ReadOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Read";

    /// <summary>
    /// Most content one page of events (or conflicts) holds, in bytes: a list page, a chunk of an
    /// export, a page of a stream. A page always holds at least one event; past it, fewer events
    /// than its limit when they are large, with a cursor to the rest.
    /// </summary>
    [Range(64 * 1024, 256 * 1024 * 1024)]
    public long MaxPageBytes { get; set; } = AuditQuery.DefaultMaxBytes;

    /// <summary>Short reads (a page, one event, counts, checkpoints) answered at once; more wait in a queue of <see cref="ReadQueue"/>.</summary>
    [Range(1, 1_024)]
    public int MaxConcurrentReads { get; set; } = 8;

    /// <summary>Short reads that may wait for a slot; beyond it, 503 with <c>Retry-After</c>.</summary>
    [Range(0, 10_000)]
    public int ReadQueue { get; set; } = 64;

    /// <summary>
    /// Exports and chain verifications running at once: each reads every matching row, for as long as
    /// the client takes to receive it. One more gets 503 with <c>Retry-After</c> at once.
    /// </summary>
    [Range(1, 256)]
    public int MaxConcurrentExports { get; set; } = 2;
}
