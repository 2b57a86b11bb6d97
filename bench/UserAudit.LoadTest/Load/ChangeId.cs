using System.Globalization;

namespace UserAudit.LoadTest.Load;

/// <summary>
/// A change's identity for auditing: the user, the version the change produced, and the event type
/// (a PATCH that changes name and password makes one version and two events).
/// </summary>
/// <param name="Subject">The user id.</param>
/// <param name="Version">The user's version after the change.</param>
/// <param name="Type">The CloudEvent type.</param>
public readonly record struct ChangeId(string Subject, long Version, string Type)
{
    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Subject} v{Version} {Type[(Type.LastIndexOf(".user.", StringComparison.Ordinal) + 6)..]}");
}
