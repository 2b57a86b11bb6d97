using System.Diagnostics;
using AuditService.Store;

namespace AuditService.Ingestion;

/// <summary>An event on its way into the store, with the span that processes it (Kafka's <c>process</c> span), if any.</summary>
/// <param name="Record">The event as it will be stored.</param>
/// <param name="Span">The span the store's span and log line belong to; null to use the caller's current span.</param>
public sealed record IngestedEvent(AuditRecord Record, Activity? Span);
