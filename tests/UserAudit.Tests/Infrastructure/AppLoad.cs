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

    /// <summary>
    /// Starts renames at <paramref name="rate"/> per second for <paramref name="seconds"/> and returns
    /// once the run has acknowledged twice the rate in measured changes: the floor a fault strikes on.
    /// </summary>
    public static async Task<(LoadRunner Runner, Task<LoadResult> Running)> StartAsync(UserAuditApp app, int rate, int seconds, CancellationToken cancellationToken)
    {
        var runner = new LoadRunner(Options(app, rate, seconds));
        var running = runner.RunAsync(cancellationToken: cancellationToken);
        await runner.WaitForMeasuredAsync(rate * 2, running, cancellationToken);
        return (runner, running);
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
