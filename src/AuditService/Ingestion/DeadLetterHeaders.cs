namespace AuditService.Ingestion;

/// <summary>Headers AuditService adds to a dead-lettered message (the original headers are kept too).</summary>
public static class DeadLetterHeaders
{
    /// <summary>Kind of failure, for example <c>NotACloudEvent</c> or <c>InvalidUtf8Header</c>.</summary>
    public const string Reason = "dlq-reason";

    /// <summary>Human-readable explanation naming the header or attribute at fault.</summary>
    public const string Detail = "dlq-detail";

    /// <summary>Topic the message was read from.</summary>
    public const string OriginalTopic = "dlq-original-topic";

    /// <summary>Partition it was read from.</summary>
    public const string OriginalPartition = "dlq-original-partition";

    /// <summary>Offset it was read from.</summary>
    public const string OriginalOffset = "dlq-original-offset";

    /// <summary>
    /// Present when the original value is not in the dead letter; holds why: <c>BodyTooLarge</c>
    /// (the event is larger than AuditService accepts) or the broker's error for a dead letter too
    /// large to produce. The original coordinates say where the value is.
    /// </summary>
    public const string ValueOmitted = "dlq-value-omitted";
}
