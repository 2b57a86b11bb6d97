using System.Diagnostics;
using System.Globalization;
using CloudNative.CloudEvents;

namespace UserAudit.CloudEvents;

/// <summary>
/// The CloudEvents distributed tracing extension: the W3C Trace Context of the operation that
/// produced an event, carried as the <c>traceparent</c> and <c>tracestate</c> attributes so that
/// it survives every hop and both content modes.
/// </summary>
public static class DistributedTracingExtension
{
    /// <summary>The <c>traceparent</c> attribute (string): a W3C <c>traceparent</c> value.</summary>
    public static CloudEventAttribute TraceParent { get; } =
        CloudEventAttribute.CreateExtension("traceparent", CloudEventAttributeType.String);

    /// <summary>The <c>tracestate</c> attribute (string): a W3C <c>tracestate</c> value.</summary>
    public static CloudEventAttribute TraceState { get; } =
        CloudEventAttribute.CreateExtension("tracestate", CloudEventAttributeType.String);

    /// <summary>Both attributes of the extension, to pass as extension attributes when decoding.</summary>
    public static IEnumerable<CloudEventAttribute> AllAttributes { get; } = [TraceParent, TraceState];

    /// <summary>
    /// Writes <paramref name="context"/> to the event as a W3C <c>traceparent</c>, and its trace
    /// state as <c>tracestate</c> when that is non-empty (otherwise any <c>tracestate</c> is removed).
    /// A default (invalid) context removes both attributes.
    /// </summary>
    /// <param name="e">The event to modify.</param>
    /// <param name="context">The trace context, usually <c>Activity.Current.Context</c>.</param>
    /// <returns>The same event, for chaining.</returns>
    public static CloudEvent SetTraceContext(this CloudEvent e, ActivityContext context)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (context.TraceId == default || context.SpanId == default)
        {
            e[TraceParent] = null;
            e[TraceState] = null;
            return e;
        }
        e[TraceParent] = string.Create(
            CultureInfo.InvariantCulture,
            $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{(byte)context.TraceFlags:x2}");
        e[TraceState] = string.IsNullOrEmpty(context.TraceState) ? null : context.TraceState;
        return e;
    }

    /// <summary>
    /// Reads the trace context from the event's <c>traceparent</c> and <c>tracestate</c> attributes.
    /// </summary>
    /// <param name="e">The event to read.</param>
    /// <param name="context">The remote trace context, when the event has a valid <c>traceparent</c>.</param>
    /// <returns>True when the event carries a valid W3C <c>traceparent</c>.</returns>
    public static bool TryGetTraceContext(this CloudEvent e, out ActivityContext context)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e[TraceParent.Name] is string traceParent)
        {
            return ActivityContext.TryParse(traceParent, e[TraceState.Name] as string, isRemote: true, out context);
        }
        context = default;
        return false;
    }
}
