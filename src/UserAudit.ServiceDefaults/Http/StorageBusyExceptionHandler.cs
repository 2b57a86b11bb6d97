using System.Data.Common;
using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace UserAudit.ServiceDefaults.Http;

/// <summary>
/// Answers a request whose write the database could not take now with 503 ProblemDetails and
/// <c>Retry-After</c>, instead of a 500: the lock stayed taken past the busy timeout
/// (<c>SQLITE_BUSY</c>, <c>SQLITE_LOCKED</c>: another process, such as a replica, holds it) or the disk
/// is full (<c>SQLITE_FULL</c>, until retention or pruning frees space or an operator adds some), and
/// PostgreSQL's equivalents (see <see cref="Classify"/>).
/// Nothing of the request was stored (the write's transaction rolled back), so the client may
/// simply retry; any other database error stays a 500.
/// </summary>
internal sealed partial class StorageBusyExceptionHandler(IProblemDetailsService problemDetails, ILogger<StorageBusyExceptionHandler> logger) : IExceptionHandler
{
    private const int SqliteBusy = 5, SqliteLocked = 6, SqliteFull = 13;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (Classify(exception) is not var (full, code))
        {
            return false;
        }

        LogBusy(logger, code, exception.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = (full ? 30 : 1).ToString(CultureInfo.InvariantCulture);
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = full ? "Storage full" : "Storage busy",
                Detail = "The change could not be stored now and nothing of it was kept; retry after the time in Retry-After.",
            },
        });
    }

    /// <summary>
    /// Whether the database refused for now rather than for good, and whether for lack of space.
    /// SQLite: busy, locked, full. PostgreSQL (SQLSTATE): disk full (53100), out of memory or
    /// connections (53xxx), starting up or shutting down (57P03), or a deadlock or serialization
    /// failure that outlasted the writer's retries (40P01, 40001).
    /// </summary>
    private static (bool Full, string Code)? Classify(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: SqliteFull } e => (true, $"SQLite {e.SqliteErrorCode}"),
        SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked } e => (false, $"SQLite {e.SqliteErrorCode}"),
        DbException { SqlState: "53100" } => (true, "SQLSTATE 53100"),
        DbException { SqlState: "53000" or "53200" or "53300" or "57P03" or "40P01" or "40001" } e => (false, $"SQLSTATE {e.SqlState}"),
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "A request was answered 503: the database refused its write ({Code}: {Reason})")]
    private static partial void LogBusy(ILogger logger, string code, string reason);
}
