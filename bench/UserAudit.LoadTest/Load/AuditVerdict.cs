using System.Globalization;

namespace UserAudit.LoadTest.Load;

/// <summary>The audit check of a run, by identity.</summary>
/// <param name="Acknowledged">Changes answered 2xx.</param>
/// <param name="Audited">Acknowledged changes whose event is stored.</param>
/// <param name="Lost">Acknowledged changes without a stored event.</param>
/// <param name="Duplicates">Stored copies of a change beyond the first (under other event ids).</param>
/// <param name="OutOfOrder">Events stored after a later version of the same user.</param>
/// <param name="Unexpected">Stored changes the run never made or that were refused.</param>
/// <param name="Uncertain">Changes whose answer was lost with the connection.</param>
/// <param name="UncertainApplied">Uncertain changes that turned out applied (their event is stored).</param>
/// <param name="Gaps">
/// Versions of a user missing between two of its stored events, other than the lost ones: a change
/// that was applied though its answer said otherwise or never came (a 5xx, a broken connection), and
/// whose event is missing. Every version a user takes has exactly one event, and one user's events
/// are stored in order, so a later version stored means the earlier one's event is gone.
/// </param>
/// <param name="Examples">The first few identities of each kind of mismatch.</param>
public sealed record AuditVerdict(
    long Acknowledged, long Audited, long Lost, long Duplicates, long OutOfOrder, long Unexpected, long Uncertain, long UncertainApplied,
    IReadOnlyList<string> Examples, long Gaps = 0)
{
    /// <summary>Whether every acknowledged change was audited once, in order, and nothing else was.</summary>
    public bool Passed => Lost == 0 && Gaps == 0 && Duplicates == 0 && OutOfOrder == 0 && Unexpected == 0;

    /// <summary>The one-line summary every fault scenario ends with, and the first mismatches.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"acknowledged {Acknowledged}, audited {Audited}, lost {Lost}, version gaps {Gaps}, duplicates {Duplicates}, out of order {OutOfOrder}, unexpected {Unexpected}")
        + (Uncertain > 0 ? string.Create(CultureInfo.InvariantCulture, $" (uncertain {Uncertain}, of which applied {UncertainApplied})") : "")
        + (Examples.Count > 0 ? "; " + string.Join("; ", Examples) : "");
}
