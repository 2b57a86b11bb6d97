namespace AuditService.Integrity;

/// <summary>
/// A signed statement of where the chain stood: its store, position and link at a time. An
/// <c>interval</c> checkpoint is written every <see cref="IntegrityOptions.CheckpointInterval"/> when
/// the chain moved; a <c>cut</c> checkpoint when retention deleted every row up to its position, and the
/// chain continues from its link.
/// </summary>
/// <param name="Number">Its number in the store, in order of writing.</param>
/// <param name="Kind"><see cref="IntervalKind"/> or <see cref="CutKind"/>.</param>
/// <param name="Position">The chain position it covers.</param>
/// <param name="Hash">The link at that position.</param>
/// <param name="CreatedAt">When it was signed.</param>
/// <param name="Statement">The exact text signed (<see cref="CheckpointStatement"/>).</param>
/// <param name="KeyId">Which key signed it (<see cref="CheckpointSigner.KeyId"/>).</param>
/// <param name="Signature">ECDSA P-256 over the statement's UTF-8 bytes, DER.</param>
public sealed record Checkpoint(long Number, string Kind, long Position, byte[] Hash, DateTimeOffset CreatedAt, string Statement, string KeyId, byte[] Signature)
{
    /// <summary>Kind of a periodic checkpoint.</summary>
    public const string IntervalKind = "interval";

    /// <summary>Kind of a retention cut: rows up to the position were deleted.</summary>
    public const string CutKind = "cut";
}
