using UserAudit.LoadTest.Load;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.Infrastructure;

/// <summary>The load generator pointed at a running application, and the audit check its runs end with.</summary>
public static class AppLoad
{
    /// <summary>Renames at <paramref name="rate"/> per second for <paramref name="seconds"/>, signed in as the administrator, checked against the audit store.</summary>
    public static LoadOptions Options(UserAuditApp app, double rate, int seconds)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new()
        {
            UserService = app.Users.BaseAddress!,
            AuditService = app.Audit.BaseAddress!,
            AuditApiKey = app.AuditApiKey,
            SignIn = new SignInCredentials(app.AdminId, app.AdminPassword),
            Connections = 8,
            Rate = rate,
            Duration = TimeSpan.FromSeconds(seconds),
            Workload = Workload.Renames,
            PollInterval = TimeSpan.FromMilliseconds(100),
            SettleTimeout = TimeSpan.FromMinutes(2),
            Processes = [],
        };
    }

    /// <summary>The audit check by identity passed: every acknowledged change stored once, in order, and nothing else.</summary>
    public static void AssertAuditedOnceInOrder(AuditVerdict verdict, double? settleSeconds)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        Assert.True(verdict.Acknowledged > 0, "the scenario acknowledged no change");
        Assert.True(settleSeconds is not null, $"not every acknowledged change became visible before the settle timeout: {verdict}");
        Assert.True(verdict.Passed, verdict.ToString());
        Assert.Equal(verdict.Acknowledged, verdict.Audited);
    }
}
