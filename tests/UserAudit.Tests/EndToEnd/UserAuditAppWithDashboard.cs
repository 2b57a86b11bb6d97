using Xunit;

namespace UserAudit.Tests.EndToEnd;

/// <summary>
/// An application of its own with the Aspire dashboard running, shared by the tests of one class:
/// the assembly's shared application runs without it, as Aspire.Hosting.Testing does by default.
/// </summary>
public sealed class UserAuditAppWithDashboard : IAsyncLifetime
{
    /// <summary>The application.</summary>
    public UserAuditApp App { get; } = new() { WithDashboard = true };

    /// <inheritdoc />
    public ValueTask InitializeAsync() => App.InitializeAsync();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => App.DisposeAsync();
}
