namespace UserAudit.LoadTest.Load;

/// <summary>How a change ended.</summary>
public enum ChangeOutcome
{
    /// <summary>Answered 2xx: it must be audited exactly once.</summary>
    Acknowledged,

    /// <summary>The answer was lost with the connection: it may or may not have been applied.</summary>
    Uncertain,
}

/// <summary>One change in the ledger.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="AcknowledgedAt">Stopwatch timestamp of the 2xx; -1 when uncertain.</param>
/// <param name="Measured">Whether it belongs to the measured phase (freshness counts only those).</param>
public sealed record ChangeRecord(ChangeOutcome Outcome, long AcknowledgedAt, bool Measured);
