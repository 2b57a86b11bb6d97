using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using UserAudit.Tests.EndToEnd;

namespace UserAudit.Tests.Infrastructure;

/// <summary>Crashes a resource of the running application the hard way.</summary>
public static class ResourceProcess
{
    /// <summary>
    /// SIGKILLs the resource's process and the service under it (the pid DCP reports may be a
    /// <c>dotnet run</c> launcher's): no flush, no commit, no leaving a consumer group, no shutdown
    /// hooks. With replicas, <paramref name="replica"/> names the one (its resource id). Returns once
    /// the application model sees it stopped.
    /// </summary>
    public static async Task KillAsync(UserAuditApp app, string resource, CancellationToken cancellationToken, string? replica = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Eventually.DefaultTimeout);
        var running = await app.App.ResourceNotifications.WaitForResourceAsync(resource,
            e => (replica is null || e.ResourceId == replica) && e.Snapshot.State?.Text == KnownResourceStates.Running && Pid(e.Snapshot) is not null,
            deadline.Token);
        using (var process = Process.GetProcessById(Pid(running.Snapshot)!.Value))
        {
            process.Kill(entireProcessTree: true);
        }

        await app.App.ResourceNotifications.WaitForResourceAsync(resource,
            e => e.ResourceId == running.ResourceId && e.Snapshot.State?.Text is { } state && KnownResourceStates.TerminalStates.Contains(state), deadline.Token);
    }

    /// <summary>Starts one replica again (by its resource id) and returns once it is running and healthy.</summary>
    public static async Task StartReplicaAsync(UserAuditApp app, string resource, string replica, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        var started = await app.App.ResourceCommands.ExecuteCommandAsync(replica, KnownResourceCommands.StartCommand, deadline.Token);
        if (!started.Success)
        {
            throw new InvalidOperationException($"Starting {replica} failed: {started.Message}");
        }

        await app.App.ResourceNotifications.WaitForResourceAsync(resource,
            e => e.ResourceId == replica && e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy, deadline.Token);
    }

    /// <summary>The resource ids of <paramref name="count"/> replicas of <paramref name="resource"/> once each is running and healthy.</summary>
    public static async Task<string[]> HealthyReplicasAsync(UserAuditApp app, string resource, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        var healthy = new HashSet<string>();
        await foreach (var e in app.App.ResourceNotifications.WatchAsync(deadline.Token))
        {
            if (e.Resource.Name != resource)
            {
                continue;
            }

            if (e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy)
            {
                healthy.Add(e.ResourceId);
            }
            else
            {
                healthy.Remove(e.ResourceId);
            }

            if (healthy.Count == count)
            {
                break;
            }
        }

        return [.. healthy.Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Ends every resource's process tree at once, for a fixture whose tests are done: DCP stops a
    /// project by signalling its <c>dotnet run</c> launcher, which does not pass the signal on, and
    /// waits about 10 s for it before killing it (measured: 10 s of a 14 s stop), while the service
    /// under it runs on. Nothing is asserted after this, and the data root goes next.
    /// </summary>
    public static async Task KillAllAsync(DistributedApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // The watch replays every resource's current state first; a quiet moment means it is done.
        var pids = new Dictionary<string, int>();
        using var watching = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var watch = app.ResourceNotifications.WatchAsync(watching.Token).GetAsyncEnumerator(watching.Token);
        Task<bool>? next = null;
        try
        {
            while (true)
            {
                next = watch.MoveNextAsync().AsTask();
                if (await Task.WhenAny(next, Task.Delay(TimeSpan.FromMilliseconds(300), CancellationToken.None)) != next || !await next)
                {
                    break;
                }

                next = null;
                if (Pid(watch.Current.Snapshot) is { } pid)
                {
                    pids[watch.Current.ResourceId] = pid;
                }
            }

            await watching.CancelAsync();
            if (next is not null)
            {
                await next; // ends with the cancellation
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await watch.DisposeAsync();
        }

        foreach (var pid in pids.Values)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
    }

    private static int? Pid(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
            && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
            ? pid
            : null;
}
