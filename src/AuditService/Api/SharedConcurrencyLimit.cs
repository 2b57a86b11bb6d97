using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace AuditService.Api;

/// <summary>
/// A rate-limiting policy with one concurrency limiter for every caller of its endpoints: the cores
/// and the database are the service's, not a caller's. Its bounds are read from the services at the
/// first request; a refused request gets 503 ProblemDetails with <c>Retry-After</c>.
/// </summary>
/// <param name="name">The policy's name, and its one partition's.</param>
/// <param name="limits">The limiter's bounds, from the request's services.</param>
/// <param name="retryAfterSeconds">When a refused client should try again.</param>
/// <param name="title">The refusal's title.</param>
/// <param name="detail">The refusal's detail.</param>
internal sealed class SharedConcurrencyLimit(string name, Func<IServiceProvider, ConcurrencyLimiterOptions> limits, int retryAfterSeconds, string title, string detail)
    : IRateLimiterPolicy<string>
{
    /// <inheritdoc />
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = (rejected, _) =>
        ServiceBusy.WriteAsync(rejected.HttpContext, retryAfterSeconds, title, detail);

    /// <inheritdoc />
    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        RateLimitPartition.GetConcurrencyLimiter(name, _ => limits(httpContext.RequestServices));
}
