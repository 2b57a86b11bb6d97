namespace AuditService.Retention;

/// <summary>How long events are kept; section <c>Retention</c>.</summary>
public sealed class RetentionOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Retention";

    /// <summary>Events received longer ago than this are deleted.</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromDays(365);

    /// <summary>How often the deletion runs (also once at start).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}
