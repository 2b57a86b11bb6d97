using UserAudit.Tests.EndToEnd;
using UserAudit.Tests.Infrastructure;
using Xunit;

namespace UserAudit.Tests.Faults;

/// <summary>
/// The fault suite on PostgreSQL (one replica of each service; the scale-out test in
/// <see cref="PostgresEndToEndTests"/> kills replicas): the broker away, AuditService and UserService
/// SIGKILLed. The outbox, the relay, offsets after commit and the dedupe run on PostgreSQL's SQL
/// here. Left to SQLite's class: the poison burst and the direct stream (no storage difference from
/// the AuditService kill) and the full disks (about SQLite's files on a tmpfs).
/// </summary>
[Collection(typeof(LoadSensitive))]
public sealed class PostgresFaultScenarioTests(PostgresFaultSuiteApp fault) : FaultScenarios, IClassFixture<PostgresFaultSuiteApp>
{
    /// <inheritdoc />
    protected override UserAuditApp App => fault.App;
}
