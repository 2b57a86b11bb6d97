using System.ComponentModel.DataAnnotations;
using AuditService.Store;

namespace AuditService.Api;

/// <summary>Bounds on the read API, so readers cannot take the memory ingestion needs; section <c>Read</c>.</summary>
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
}
