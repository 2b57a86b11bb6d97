using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using UserAudit.ServiceDefaults.Tracing;

namespace UserAudit.ServiceDefaults.Http;

/// <summary>
/// What every service does first with every request, before its own pipeline: answers carry
/// <c>X-Content-Type-Options: nosniff</c> (set as the response starts, so error pages written after
/// the headers were cleared carry it too), and an untrusted caller's trace context becomes a link
/// (<see cref="IncomingTraceLink"/>).
/// </summary>
internal sealed class ServiceEdge(IOptions<TracingOptions> tracing) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Response.OnStarting(static state =>
            {
                ((HttpResponse)state).Headers.XContentTypeOptions = "nosniff";
                return Task.CompletedTask;
            }, context.Response);
            return nextMiddleware(context);
        });
        if (!tracing.Value.TrustIncomingContext)
        {
            app.UseMiddleware<IncomingTraceLink>();
        }

        next(app);
    };
}
