using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AuditService.Api;

/// <summary>
/// The slots exports and chain verifications run in, <see cref="ReadOptions.MaxConcurrentExports"/> of
/// them for every reader: each reads every matching row, for as long as its client takes to receive
/// it. A slot is taken once the request is known to be valid, so bad input gets its 400 whatever the
/// load; with every slot taken, the answer is 503 with <c>Retry-After</c> at once (a queue would hold
/// requests for as long as an export runs).
/// </summary>
public sealed class ExportSlots(IOptions<ReadOptions> options) : IDisposable
{
    private const int RetryAfterSeconds = 5;

    private readonly ConcurrencyLimiter _limiter = new(new ConcurrencyLimiterOptions { PermitLimit = options.Value.MaxConcurrentExports, QueueLimit = 0 });

    /// <summary>A slot, to dispose when the work is done; or null, with every slot taken.</summary>
    public IDisposable? TryTake()
    {
        var lease = _limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        return null;
    }

    /// <summary>The answer when no slot is free: 503 ProblemDetails, with <c>Retry-After</c> set on <paramref name="response"/>.</summary>
    public static ProblemHttpResult Busy(HttpResponse response) => ServiceBusy.Problem(response, RetryAfterSeconds, "Too many exports",
        "The most exports and chain verifications allowed are running; retry after the time in Retry-After.");

    /// <inheritdoc />
    public void Dispose() => _limiter.Dispose();
}
