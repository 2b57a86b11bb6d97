using System.Text.Json.Serialization;

namespace AuditService.Integrity;

/// <summary>What verification found wrong at a position (written by name in JSON).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChainBreakKind>))]
public enum ChainBreakKind
{
    /// <summary>The row's content or columns no longer match its hashes (changed), or its link does not follow the row before it.</summary>
    Changed,

    /// <summary>A position has no row: a row was deleted (or the rows at the end of the chain).</summary>
    Missing,

    /// <summary>A row that AuditService did not link there: below the retention cut, beyond the head, or slipped between two linked rows.</summary>
    Inserted,

    /// <summary>A row without hashes: written outside AuditService.</summary>
    Unlinked,

    /// <summary>The head row does not match the last row.</summary>
    HeadMismatch,

    /// <summary>A signed checkpoint names another link for its position than the chain has.</summary>
    CheckpointMismatch,

    /// <summary>A checkpoint whose signature does not verify with the configured key.</summary>
    BadSignature,
}
