using Xunit;

namespace UserAudit.Tests.EndToEnd;

/// <summary>
/// An application of its own, shared by the tests of one class: for tests that break things (take
/// the broker down, kill a service) and must not disturb the assembly's shared application.
/// </summary>
public sealed class IsolatedUserAuditApp : IAsyncLifetime
{
    /// <summary>The application.</summary>
    public UserAuditApp App { get; } = new();

    /// <inheritdoc />
    public ValueTask InitializeAsync() => App.InitializeAsync();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => App.DisposeAsync();
}
