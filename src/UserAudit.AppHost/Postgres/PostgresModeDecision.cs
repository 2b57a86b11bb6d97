namespace UserAudit.AppHost.Postgres;

/// <summary>The PostgreSQL mode chosen, and why, so the choice can be logged and tested.</summary>
/// <param name="Mode">The mode chosen.</param>
/// <param name="Reason">A sentence saying what decided it.</param>
public sealed record PostgresModeDecision(PostgresMode Mode, string Reason);
