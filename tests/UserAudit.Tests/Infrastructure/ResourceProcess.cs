using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using UserAudit.Tests.EndToEnd;

namespace UserAudit.Tests.Infrastructure;

/// <summary>Crashes a resource of the running application the hard way.</summary>
public static class ResourceProcess
{
    /// <summary>
    /// SIGKILLs the resource's process and the service under it (the pid DCP reports may be a
    /// <c>dotnet run</c> launcher's): no flush, no commit, no leaving a consumer group, no shutdown
    /// hooks. Returns once the application model sees the resource stopped.
    /// </summary>
    public static async Task KillAsync(UserAuditApp app, string resource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Eventually.DefaultTimeout);
        var running = await app.App.ResourceNotifications.WaitForResourceAsync(resource,
            e => e.Snapshot.State?.Text == KnownResourceStates.Running && Pid(e.Snapshot) is not null, deadline.Token);
        using (var process = Process.GetProcessById(Pid(running.Snapshot)!.Value))
        {
            process.Kill(entireProcessTree: true);
        }

        await app.App.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.TerminalStates, deadline.Token);
    }

    private static int? Pid(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
            && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
            ? pid
            : null;
}
