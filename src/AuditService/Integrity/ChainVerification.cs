namespace AuditService.Integrity;

/// <summary>What <c>GET /v1/audit-events/verify</c> answers.</summary>
/// <param name="Intact">True when nothing was found wrong in the range.</param>
/// <param name="StoreId">The store's id (null before its chain exists).</param>
/// <param name="From">First position checked.</param>
/// <param name="To">Last position checked.</param>
/// <param name="RowsChecked">Rows whose hashes were recomputed.</param>
/// <param name="CheckpointsChecked">Checkpoints whose signature and link were checked.</param>
/// <param name="HeadPosition">The head row's position.</param>
/// <param name="HeadHash">The head row's link, hex.</param>
/// <param name="AnchorPosition">Where the chain starts: the last retention cut (0 without one).</param>
/// <param name="ToHash">The recomputed link at <paramref name="To"/>, hex, when the range verified: compare it with a kept checkpoint's hash.</param>
/// <param name="FirstBreak">The first break found, in position order; null when intact.</param>
public sealed record ChainVerification(
    bool Intact, string? StoreId, long From, long To, long RowsChecked, int CheckpointsChecked,
    long HeadPosition, string? HeadHash, long AnchorPosition, string? ToHash, ChainBreak? FirstBreak);
