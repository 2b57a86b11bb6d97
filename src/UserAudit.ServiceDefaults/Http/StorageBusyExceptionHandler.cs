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
/// is full (<c>SQLITE_FULL</c>, until retention or pruning frees space or an operator adds some),
/// PostgreSQL's equivalents, or a PostgreSQL server out of reach (see <see cref="Classify"/>).
/// Nothing of the request was stored (the write's transaction rolled back), so the client may
/// simply retry, except when a connection broke as it committed, which the answer says; any other
/// database error stays a 500.
/// </summary>
internal sealed partial class StorageBusyExceptionHandler(IProblemDetailsService problemDetails, ILogger<StorageBusyExceptionHandler> logger) : IExceptionHandler
{
    private const int SqliteBusy = 5, SqliteLocked = 6, SqliteFull = 13;

    private const string NothingKept = "The change could not be stored now and nothing of it was kept; retry after the time in Retry-After.";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (Classify(exception) is not var (title, retryAfter, code, detail))
        {
            return false;
        }

        LogBusy(logger, code, exception.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable, Title = title, Detail = detail },
        });
    }

    /// <summary>
    /// Whether the database refused for now rather than for good, and why. SQLite: busy, locked,
    /// full. PostgreSQL (SQLSTATE): disk full (53100), out of memory or connections (53xxx), starting
    /// up (57P03), or a deadlock or serialization failure that outlasted the writer's retries (40P01,
    /// 40001). Then the server out of reach: the session ended by a shutdown or a crash (57P01,
    /// 57P02), or any error the provider calls transient (a refused or broken connection, a
    /// timeout). A connection that broke as the change committed leaves its fate unknown, so that
    /// answer does not say nothing was kept.
    /// </summary>
    private static (string Title, int RetryAfter, string Code, string Detail)? Classify(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: SqliteFull } e => ("Storage full", 30, $"SQLite {e.SqliteErrorCode}", NothingKept),
        SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked } e => ("Storage busy", 1, $"SQLite {e.SqliteErrorCode}", NothingKept),
        DbException { SqlState: "53100" } => ("Storage full", 30, "SQLSTATE 53100", NothingKept),
        DbException { SqlState: "53000" or "53200" or "53300" or "57P03" or "40P01" or "40001" } e => ("Storage busy", 1, $"SQLSTATE {e.SqlState}", NothingKept),
        DbException { SqlState: "57P01" or "57P02" } or DbException { IsTransient: true } => ("Storage unavailable", 5, Code((DbException)exception),
            "The database could not be reached, or ended the connection; retry after the time in Retry-After. If it ended as the change "
            + "was committing, the change may have been stored: read it back before repeating it."),
        _ => null,
    };

    private static string Code(DbException exception) => exception.SqlState is { } state ? $"SQLSTATE {state}" : exception.GetType().Name;

    [LoggerMessage(Level = LogLevel.Warning, Message = "A request was answered 503: the database refused its write ({Code}: {Reason})")]
    private static partial void LogBusy(ILogger logger, string code, string reason);
}
