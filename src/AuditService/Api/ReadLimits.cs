using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace AuditService.Api;

/// <summary>
/// The read API's bounds on concurrent requests, for every reader together (the cores and the
/// database are shared with ingestion, so the bound is the service's, not a reader's): short reads
/// queue for a slot, exports and verifications take one of <see cref="ExportSlots"/> or are refused
/// at once. A refused request gets 503 ProblemDetails with <c>Retry-After</c>.
/// </summary>
public static class ReadLimits
{
    /// <summary>The rate-limiting policy of short reads: a page, one event, counts, checkpoints.</summary>
    public const string ReadPolicy = "audit-read";

    /// <summary>The options of section <c>Read</c>, the short reads' policy and the export slots.</summary>
    public static IServiceCollection AddReadLimits(this IServiceCollection services)
    {
        services.AddOptions<ReadOptions>().BindConfiguration(ReadOptions.SectionName).ValidateWith(new ReadOptionsValidator()).ValidateOnStart();
        services.AddRateLimiter(limiter => limiter.AddPolicy(ReadPolicy, new SharedConcurrencyLimit(ReadPolicy, ShortReads,
            1, "Reads busy", "Too many read requests are being answered; retry after the time in Retry-After.")));
        services.AddSingleton<ExportSlots>();
        return services;
    }

    /// <summary>Puts the endpoint under the short reads' limit, and documents its 503.</summary>
    public static RouteHandlerBuilder WithReadLimit(this RouteHandlerBuilder endpoint) =>
        endpoint.RequireRateLimiting(ReadPolicy).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static ConcurrencyLimiterOptions ShortReads(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ReadOptions>>().Value;
        return new() { PermitLimit = options.MaxConcurrentReads, QueueLimit = options.ReadQueue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst };
    }
}
