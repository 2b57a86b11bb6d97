namespace UserAudit.CloudEvents.Core;

/// <summary>Tells an event formatter's failure on the content from the binding's own errors and the runtime's.</summary>
public static class FormatterFailure
{
    /// <summary>
    /// Whether an exception a formatter threw is about the content (and so becomes a
    /// <see cref="CloudEventBindingException"/>), rather than the binding's own error, a lack of
    /// memory or a cancellation, which pass through.
    /// </summary>
    /// <param name="exception">The exception a formatter threw.</param>
    public static bool Is(Exception exception) =>
        exception is not (CloudEventBindingException or OutOfMemoryException or OperationCanceledException);
}
