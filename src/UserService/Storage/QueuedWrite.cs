namespace UserService.Storage;

/// <summary>
/// A write waiting in <see cref="GroupCommitWriter"/>'s queue: the work, the caller's execution
/// context (so the work sees the request's <c>Activity.Current</c>, which events record as their
/// trace parent), and the task the caller awaits, completed only once the batch committed.
/// </summary>
internal sealed class QueuedWrite(Func<WriteScope, object?> work, CancellationToken cancellationToken)
{
    private readonly Func<WriteScope, object?> _work = work;
    private readonly ExecutionContext? _context = ExecutionContext.Capture();
    private readonly TaskCompletionSource<object?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private object? _result;

    public Task<object?> Task => _done.Task;

    public bool Failed { get; private set; }

    public bool Cancelled => cancellationToken.IsCancellationRequested;

    /// <summary>How many times the work ran (it runs again when the database undid it to break a deadlock).</summary>
    public int Attempts { get; private set; }

    /// <summary>
    /// Runs the work and ends its savepoint (<see cref="WriteScope.EndWrite"/>, which sends what the
    /// work deferred), both in the caller's execution context, so the statements' spans join its trace.
    /// </summary>
    public void Run(WriteScope scope)
    {
        Attempts++;
        if (_context is null)
        {
            RunInContext(scope);
            return;
        }

        ExecutionContext.Run(_context, static state =>
        {
            var (write, scope) = ((QueuedWrite, WriteScope))state!;
            write.RunInContext(scope);
        }, (this, scope));
    }

    public void RunAgain() => _result = null;

    private void RunInContext(WriteScope scope)
    {
        _result = _work(scope);
        scope.EndWrite();
    }

    public void Committed() => _done.TrySetResult(_result);

    public void Fail(Exception exception)
    {
        Failed = true;
        _done.TrySetException(exception);
    }

    public void Cancel()
    {
        Failed = true;
        _done.TrySetCanceled(cancellationToken);
    }
}
