using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace UserAudit.ServiceDefaults.Tracing;

/// <summary>
/// Keeps an untrusted caller's trace context as a link of the request's own (root) span, so the
/// caller's trace can still be followed into the service: its <c>traceparent</c> if it parses, its
/// <c>tracestate</c> bounded and cleaned (<see cref="W3CTraceContext"/>). Links never decide
/// sampling, so the caller's sampled flag changes nothing.
/// </summary>
internal sealed class IncomingTraceLink(RequestDelegate next)
{
    private const string TraceParentHeader = "traceparent";
    private const string TraceStateHeader = "tracestate";

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (Activity.Current is { } activity && headers[TraceParentHeader] is [{ } traceParent]
            && W3CTraceContext.IsValidTraceParent(traceParent)
            && ActivityContext.TryParse(traceParent, null, isRemote: true, out var caller))
        {
            var traceState = headers[TraceStateHeader].Count == 1 ? W3CTraceContext.SanitizeTraceState(headers[TraceStateHeader][0]) : null;
            activity.AddLink(new ActivityLink(new ActivityContext(caller.TraceId, caller.SpanId, caller.TraceFlags, traceState, isRemote: true)));
        }

        return next(context);
    }
}
