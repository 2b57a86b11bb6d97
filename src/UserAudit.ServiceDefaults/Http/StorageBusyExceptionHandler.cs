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
/// is full (<c>SQLITE_FULL</c>, until retention or pruning frees space or an operator adds some).
/// Nothing of the request was stored (the write's transaction rolled back), so the client may
/// simply retry; any other database error stays a 500.
/// </summary>
internal sealed partial class StorageBusyExceptionHandler(IProblemDetailsService problemDetails, ILogger<StorageBusyExceptionHandler> logger) : IExceptionHandler
{
    private const int SqliteBusy = 5, SqliteLocked = 6, SqliteFull = 13;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked or SqliteFull } busy)
        {
            return false;
        }

        var full = busy.SqliteErrorCode == SqliteFull;
        LogBusy(logger, busy.SqliteErrorCode, busy.Message);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "A request was answered 503: the database refused its write (SQLite error {SqliteErrorCode}: {Reason})")]
    private static partial void LogBusy(ILogger logger, int sqliteErrorCode, string reason);
}
