using System.Globalization;

namespace UserService.Users;

/// <summary>The If-Match header of a conditional write.</summary>
internal static class IfMatch
{
    /// <summary>Reads If-Match: absent or <c>*</c> means any version; otherwise one strong ETag.</summary>
    public static bool TryRead(string? value, out long? version)
    {
        version = null;
        var header = (value ?? "").Trim();
        if (header.Length == 0 || header == "*")
        {
            return true;
        }

        if (header.Length > 2 && header[0] == '"' && header[^1] == '"'
            && long.TryParse(header.AsSpan(1, header.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var v))
        {
            version = v;
            return true;
        }

        return false;
    }
}
