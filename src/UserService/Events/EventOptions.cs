using System.ComponentModel.DataAnnotations;
using UserAudit.CloudEvents.Core;
using UserAudit.ServiceDefaults.Kafka;

namespace UserService.Events;

/// <summary>Where and as whom events are published; section <c>Events</c>.</summary>
public sealed class EventOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Events";

    /// <summary>Kafka topic.</summary>
    [Required]
    public string Topic { get; set; } = AuditTopics.Audit;

    /// <summary>CloudEvents <c>source</c>: an absolute URI naming this service.</summary>
    [Required]
    public Uri Source { get; set; } = new("urn:useraudit:user-service");

    /// <summary>
    /// Absolute base URI of the event JSON Schemas (this service serves them at
    /// <c>/v1/schemas/</c>); events carry <c>dataschema</c> = base + schema file. No dataschema when unset.
    /// </summary>
    public Uri? SchemaBaseUri { get; set; }

    /// <summary>
    /// Both URIs travel in every event, and consumers refuse a URI with characters RFC 3986 does
    /// not allow (System.Uri accepts them), so a typo here would dead-letter every event: refuse it
    /// at start instead.
    /// </summary>
    /// <param name="validationContext">Unused.</param>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Source is not null && !IsWireSafeAbsolute(Source))
        {
            yield return new ValidationResult(
                $"{SectionName}:{nameof(Source)} must be an absolute URI written in RFC 3986 characters only (percent-encode the others, for example %C3%A9 for é).",
                [nameof(Source)]);
        }

        if (SchemaBaseUri is not null && (!IsWireSafeAbsolute(SchemaBaseUri) || !SchemaBaseUri.OriginalString.EndsWith('/')))
        {
            yield return new ValidationResult(
                $"{SectionName}:{nameof(SchemaBaseUri)} must be an absolute URI written in RFC 3986 characters only and ending in '/'.",
                [nameof(SchemaBaseUri)]);
        }
    }

    private static bool IsWireSafeAbsolute(Uri uri) => uri.IsAbsoluteUri && UriReference.IsValid(uri.OriginalString);
}
