namespace UserAudit.ServiceDefaults.Tracing;

/// <summary>How a service treats trace context arriving with HTTP requests; section <c>Tracing</c>.</summary>
public sealed class TracingOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Tracing";

    /// <summary>
    /// False (the default): every HTTP request starts a new trace, and the caller's <c>traceparent</c>
    /// is kept only as a link, so a caller can neither force sampling nor make the service record
    /// (and pass on in its events) a trace state of its choosing. True only behind a gateway you
    /// control that sets or strips <c>traceparent</c>, <c>tracestate</c> and <c>baggage</c>.
    /// </summary>
    public bool TrustIncomingContext { get; set; }
}
