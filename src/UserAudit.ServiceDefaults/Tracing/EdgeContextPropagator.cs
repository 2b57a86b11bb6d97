using System.Diagnostics;

namespace UserAudit.ServiceDefaults.Tracing;

/// <summary>
/// The propagator ASP.NET Core's hosting asks for the parent of each request's activity: it finds
/// none, so every request is a new root (sampled by the service's own rule) and nothing the caller
/// sent becomes the service's trace state or baggage. Outgoing calls still carry the service's own
/// context, written by the runtime's default propagator.
/// </summary>
internal sealed class EdgeContextPropagator : DistributedContextPropagator
{
    private readonly DistributedContextPropagator _outgoing = CreateDefaultPropagator();

    public override IReadOnlyCollection<string> Fields => _outgoing.Fields;

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter) =>
        _outgoing.Inject(activity, carrier, setter);

    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState)
    {
        traceId = null;
        traceState = null;
    }

    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) => null;
}
