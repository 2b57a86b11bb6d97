using System.ComponentModel.DataAnnotations;

namespace AuditService.Integrity;

/// <summary>Signed checkpoints of the hash chain; section <c>Integrity</c>.</summary>
public sealed class IntegrityOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Integrity";

    /// <summary>Shortest checkpoint secret accepted.</summary>
    public const int MinKeyLength = 32;

    /// <summary>
    /// The secret the checkpoint signing key is derived from (environment variable
    /// <c>Integrity__CheckpointKey</c>; the AppHost passes its <c>audit-checkpoint-key</c> parameter).
    /// Replicas given the same secret sign with the same key.
    /// </summary>
    [Required(ErrorMessage = "Integrity:CheckpointKey is required: AuditService signs checkpoints of its hash chain. "
        + "Set it, e.g. through the environment variable Integrity__CheckpointKey.")]
    [StringLength(int.MaxValue, MinimumLength = MinKeyLength, ErrorMessage = "Integrity:CheckpointKey must be at least 32 characters long.")]
    public string CheckpointKey { get; set; } = "";

    /// <summary>
    /// How often the chain's head is signed when it moved. Rows written since the last checkpoint are
    /// the ones someone with write access to the database could still rewrite unnoticed.
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(1);
}
