using UserAudit.Tests.EndToEnd;

namespace UserAudit.Tests.Faults;

/// <summary>The fault suite's application on PostgreSQL: one replica of each service, so that a scenario's kill leaves none running.</summary>
public sealed class PostgresFaultSuiteApp() : PostgresUserAuditApp(userServiceReplicas: 1, auditServiceReplicas: 1);
