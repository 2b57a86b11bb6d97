using System.Diagnostics;

namespace UserAudit.ServiceDefaults.Kafka;

/// <summary>W3C trace context header names and format.</summary>
public static class TraceHeaders
{
    /// <summary>W3C <c>traceparent</c>.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>W3C <c>tracestate</c>.</summary>
    public const string TraceState = "tracestate";

    /// <summary>Formats a context as a version-00 <c>traceparent</c> value.</summary>
    public static string Format(ActivityContext context) =>
        $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{((context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00")}";
}
