using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.Faults;

/// <summary>
/// The disk-full scenarios' application: one of its own, whose services keep their databases on
/// small filesystems of their own where the machine allows (a tmpfs each, mounted before the start
/// and removed after the stop, as root), so that a scenario can fill one service's disk without
/// touching the other's or the machine's.
/// </summary>
public sealed class DiskFullApp : IAsyncLifetime
{
    /// <summary>The application.</summary>
    public UserAuditApp App { get; } = new();

    /// <summary>UserService's data directory, or null when it could not be mounted.</summary>
    public SmallDisk? UserServiceDisk { get; private set; }

    /// <summary>AuditService's data directory, or null when it could not be mounted.</summary>
    public SmallDisk? AuditServiceDisk { get; private set; }

    /// <summary>Why the small disks could not be mounted; null when they were.</summary>
    public string? WhyNoDisks { get; private set; }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        // Room for both scenarios' databases (tmpfs takes memory only as it fills); small enough to
        // fill in a moment. The long mode's volumes need more.
        var sizeMiB = FaultScenarios.Long ? 512 : 96;
        UserServiceDisk = SmallDisk.TryMount(Path.Combine(App.DataRoot, "user-service"), sizeMiB, out var whyNot);
        AuditServiceDisk = UserServiceDisk is null ? null : SmallDisk.TryMount(Path.Combine(App.DataRoot, "audit-service"), sizeMiB, out whyNot);
        WhyNoDisks = whyNot;
        await App.InitializeAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        UserServiceDisk?.Dispose();
        AuditServiceDisk?.Dispose();
    }
}
