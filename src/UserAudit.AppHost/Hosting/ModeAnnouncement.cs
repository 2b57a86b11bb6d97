using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace UserAudit.AppHost.Hosting;

/// <summary>
/// Says once which mode a resource runs in and why (Kafka's, PostgreSQL's): when the resource is
/// initialised, in the AppHost's log and in the resource's own console in the dashboard, next to
/// what the resource then logs. Publishing initialises no resource, so there it is said as the
/// AppHost starts.
/// </summary>
internal static class ModeAnnouncement
{
    public static void Announce<T>(this IResourceBuilder<T> resource, IDistributedApplicationBuilder builder, string category, Action<ILogger> say)
        where T : IResource
    {
        void SayTo(IServiceProvider services, ILogger? resourceLogger)
        {
            say(services.GetRequiredService<ILoggerFactory>().CreateLogger(category));
            if (resourceLogger is not null)
            {
                say(resourceLogger);
            }
        }

        if (builder.ExecutionContext.IsPublishMode)
        {
            builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
            {
                SayTo(e.Services, resourceLogger: null);
                return Task.CompletedTask;
            });
        }
        else
        {
            builder.Eventing.Subscribe<InitializeResourceEvent>(resource.Resource, (e, _) =>
            {
                SayTo(e.Services, e.Logger);
                return Task.CompletedTask;
            });
        }
    }
}
