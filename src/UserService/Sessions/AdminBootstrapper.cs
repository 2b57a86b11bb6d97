using Microsoft.Extensions.Options;
using UserAudit.ServiceDefaults.Storage;
using UserService.Events;
using UserService.Users;

namespace UserService.Sessions;

/// <summary>
/// Creates the first administrator at start when the deployment names one
/// (<see cref="AuthOptions.BootstrapAdmin"/>) and no user has its id yet; its creation is an event
/// like any other, by the <c>system</c>. An existing user with that id is left as it is.
/// </summary>
public sealed partial class AdminBootstrapper(
    UserStore store, PasswordHashing passwords, UserEventFactory events, IOptions<AuthOptions> options, TimeProvider time,
    ILogger<AdminBootstrapper> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var admin = options.Value.BootstrapAdmin;
        if (!admin.IsConfigured)
        {
            LogNoAdministrator(logger);
            return;
        }

        if (await store.FindAsync(admin.Id!, cancellationToken) is { } existing)
        {
            if (!existing.IsAdmin)
            {
                LogNotAnAdministrator(logger, admin.Id!);
            }

            return;
        }

        var now = time.GetUtcNow();
        var user = new User(admin.Id!, admin.Name, await passwords.HashAsync(admin.Password!, cancellationToken), 1, now, now, UserRoles.Admin);
        try
        {
            await store.CreateAsync(user, events.Create(UserEventTypes.Created, user.Id, user.Version, now, Actor.System), null, _ => "", cancellationToken);
            LogCreated(logger, user.Id);
        }
        catch (Exception ex) when (SqlDialect.IsUniqueViolation(ex))
        {
            // Replicas starting together on one PostgreSQL: another one created it a moment ago.
            LogCreatedByAnother(logger, user.Id);
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the first administrator {UserId} (Auth:BootstrapAdmin)")]
    private static partial void LogCreated(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "The first administrator {UserId} was created by another replica as this one started")]
    private static partial void LogCreatedByAnother(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No administrator is configured (Auth:BootstrapAdmin): nobody can list users or act on others")]
    private static partial void LogNoAdministrator(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth:BootstrapAdmin:Id names {UserId}, an existing user that is not an administrator; it is left as it is")]
    private static partial void LogNotAnAdministrator(ILogger logger, string userId);
}
