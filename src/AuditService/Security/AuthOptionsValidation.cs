using Microsoft.Extensions.Options;

namespace AuditService.Security;

/// <summary>
/// Refuses, at start, a configuration that would run AuditService unprotected or ambiguous. Every
/// message names the setting and never a key's value.
/// </summary>
public sealed class AuthOptionsValidation : IValidateOptions<AuthOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.ReadKeys.Count == 0)
        {
            errors.Add("Auth:ReadKeys needs at least one key: AuditService refuses to serve without one. "
                + "Set one, e.g. through the environment variable Auth__ReadKeys__<name>.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (keyName, key) in options.ReadKeys)
        {
            CheckKey($"Auth:ReadKeys:{keyName}", key, seen, errors);
        }

        foreach (var (keyName, ingest) in options.IngestKeys)
        {
            var setting = $"Auth:IngestKeys:{keyName}";
            CheckKey($"{setting}:Key", ingest.Key, seen, errors);
            CheckGrants(setting, ingest.Sources, options.EffectiveReservedSources, errors);
        }

        if (options.EffectiveReservedSources.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("Auth:ReservedSources must not hold an empty source.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckKey(string setting, string? key, HashSet<string> seen, List<string> errors)
    {
        if (string.IsNullOrEmpty(key))
        {
            errors.Add($"{setting} is empty.");
        }
        else if (key.Length < AuthOptions.MinKeyLength)
        {
            errors.Add($"{setting} must be at least {AuthOptions.MinKeyLength} characters long.");
        }
        else if (!seen.Add(key))
        {
            // One key, one role and one name: a key listed twice would make the caller ambiguous.
            errors.Add($"{setting} repeats a key configured under another name; every key must be distinct.");
        }
    }

    private static void CheckGrants(string setting, string[]? sources, IReadOnlyList<string> reserved, List<string> errors)
    {
        if (sources is null || sources.Length == 0)
        {
            errors.Add($"{setting}:Sources must name at least one source the key may write.");
            return;
        }

        for (var i = 0; i < sources.Length; i++)
        {
            var grant = sources[i];
            var item = $"{setting}:Sources:{i}";
            if (string.IsNullOrWhiteSpace(grant) || grant.Trim() == "*")
            {
                errors.Add($"{item} must name a source or a prefix ending in '*', not everything.");
            }
            else if (grant.IndexOf('*', StringComparison.Ordinal) is var star && star >= 0 && star != grant.Length - 1)
            {
                errors.Add($"{item} may hold '*' only as its last character.");
            }
            else if (reserved.Contains(grant, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{item} grants a reserved source (Auth:ReservedSources); its events arrive through Kafka only.");
            }
        }
    }
}
