using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace UserAudit.ServiceDefaults.Resilience;

/// <summary>
/// The one retry policy for work that must not be given up: the outbox relay's publishing and
/// AuditService's storing and dead-lettering. A transient failure (the broker away, the database
/// busy) is retried forever with exponential backoff and jitter, capped at a configured delay; a
/// stop cancels the wait. Anything else is not retried.
/// </summary>
public static partial class TransientRetry
{
    /// <summary>The first wait after a failure; each later one doubles, up to the cap.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>Builds the pipeline.</summary>
    /// <param name="operation">What is retried, for the log line ("store", "publish").</param>
    /// <param name="maxDelay">The longest wait between two attempts.</param>
    /// <param name="isTransient">Which exceptions are worth another attempt.</param>
    /// <param name="logger">Where each retry is logged, with the operation, the error type and the wait.</param>
    /// <param name="time">The clock the waits run on.</param>
    public static ResiliencePipeline Create(string operation, TimeSpan maxDelay, Func<Exception, bool> isTransient, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(isTransient);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, FirstDelay);
        return new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(isTransient),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = FirstDelay,
                MaxDelay = maxDelay,
                OnRetry = arguments =>
                {
                    LogRetrying(logger, operation, arguments.Outcome.Exception?.GetType().Name ?? "failure", arguments.RetryDelay.TotalMilliseconds, arguments.AttemptNumber + 1);
                    return default;
                },
            })
            .Build();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Operation} failed ({Error}); retrying in {DelayMs:0} ms (attempt {Attempt})")]
    private static partial void LogRetrying(ILogger logger, string operation, string error, double delayMs, int attempt);
}
