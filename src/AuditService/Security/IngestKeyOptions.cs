namespace AuditService.Security;

/// <summary>One HTTP sender's credential: its key and the sources it may write.</summary>
public sealed class IngestKeyOptions
{
    /// <summary>The secret the sender presents.</summary>
    public string Key { get; set; } = "";

    /// <summary>
    /// Sources the sender may write: exact sources (<c>urn:billing:invoices</c>) or prefixes ending
    /// in <c>*</c> (<c>urn:billing:*</c>). A bare <c>*</c> is refused: a grant names what it grants.
    /// </summary>
    public string[] Sources { get; set; } = [];
}
