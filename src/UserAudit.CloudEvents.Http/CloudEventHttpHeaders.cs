namespace UserAudit.CloudEvents.Http;

/// <summary>
/// HTTP header names defined by the CloudEvents HTTP protocol binding.
/// </summary>
public static class CloudEventHttpHeaders
{
    /// <summary>The prefix of every header that carries a CloudEvents attribute in binary content mode (matched case-insensitively).</summary>
    public const string Prefix = "ce-";

    /// <summary>The <c>specversion</c> attribute header; its presence marks a binary-mode CloudEvent.</summary>
    public const string SpecVersion = Prefix + "specversion";

    /// <summary>The HTTP <c>Content-Type</c> header: <c>datacontenttype</c> in binary mode, the event format in structured and batch modes.</summary>
    public const string ContentType = "Content-Type";
}
