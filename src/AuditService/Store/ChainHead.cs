namespace AuditService.Store;

/// <summary>The end of a store's hash chain: the store's id, the last position written, and its link.</summary>
/// <param name="StoreId">A random id given to the store when its chain was created; its genesis link derives from it.</param>
/// <param name="Position">The last position written (the <c>seq</c> of the last row); 0 before the first.</param>
/// <param name="Hash">The link of that position (the genesis link at 0).</param>
public sealed record ChainHead(string StoreId, long Position, byte[] Hash);
