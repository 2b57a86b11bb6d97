using System.Globalization;
using UserAudit.LoadTest.Load;

namespace UserAudit.LoadTest.Benchmarks;

/// <summary>What a system's topic held after a run, against what its clients were told.</summary>
/// <param name="Verdict">Acknowledged changes against the messages of each user and event type.</param>
/// <param name="Messages">Messages on the topic.</param>
/// <param name="Undecodable">Messages that named no user and event type.</param>
/// <param name="Truncated">The broker dropped messages before the check read them, so a loss could not be told apart.</param>
/// <param name="SessionEvents">UserService's session events (the runs' own sign-ins): on the topic, but no user change.</param>
public sealed record TopicCheck(AuditVerdict Verdict, long Messages, long Undecodable, bool Truncated, long SessionEvents = 0)
{
    /// <summary>Every acknowledged change is on the topic exactly once, and every message is one.</summary>
    public bool Passed => !Truncated && Undecodable == 0 && Verdict is { Lost: 0, Duplicates: 0 };

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Messages:N0} messages on the topic; {Verdict}")
        + (Undecodable > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {Undecodable:N0} undecodable") : "")
        + (SessionEvents > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {SessionEvents:N0} session event(s), not changes") : "")
        + (Truncated ? "; TRUNCATED: the broker dropped messages before they were read" : "");
}
