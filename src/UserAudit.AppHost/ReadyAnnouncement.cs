using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace UserAudit.AppHost;

/// <summary>
/// One line in the AppHost's log once every resource is healthy, with the addresses to open: the
/// other lines of a start scroll past, and "is it up yet, and where" is the question a developer has.
/// </summary>
internal static partial class ReadyAnnouncement
{
    /// <summary>In run mode, logs the addresses once every resource of the model reports healthy.</summary>
    public static void AnnounceWhenHealthy(
        this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> userService, IResourceBuilder<ProjectResource> auditService)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return;
        }

        var dashboard = builder.Configuration["ASPNETCORE_URLS"]?.Split(';')[0];
        builder.Eventing.Subscribe<BeforeStartEvent>((e, cancellationToken) =>
        {
            // Parameters have no health, and a resource that starts only when asked (such as the
            // rebuilder Aspire adds beside each project) never becomes healthy on its own; everything
            // else (Kafka, PostgreSQL, the services, their replicas) does.
            var resources = e.Model.Resources
                .Where(r => r is not ParameterResource && !r.HasAnnotationOfType<ExplicitStartupAnnotation>())
                .Select(r => r.Name)
                .ToList();
            var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("UserAudit.AppHost");
            var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = Task.Run(async () =>
            {
                try
                {
                    foreach (var name in resources)
                    {
                        await notifications.WaitForResourceHealthyAsync(name, stopping);
                    }

                    var audit = auditService.GetEndpoint("http").Url;
                    var (trail, users) = ($"{audit}/trail/", userService.GetEndpoint("http").Url);
                    LogReady(logger, trail, users, audit, dashboard ?? "(see the login link above)");
                }
                catch (OperationCanceledException)
                {
                    // Stopped before everything was healthy: nothing to announce.
                }
            }, stopping);
            return Task.CompletedTask;
        });
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "UserAudit is ready. Audit trail: {TrailUrl} (sign in with the read key audit-api-key from the AppHost's user secrets); "
            + "UserService: {UserServiceUrl}; AuditService: {AuditServiceUrl}; dashboard: {DashboardUrl}")]
    private static partial void LogReady(ILogger logger, string trailUrl, string userServiceUrl, string auditServiceUrl, string dashboardUrl);
}
