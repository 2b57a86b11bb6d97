using System.Globalization;

namespace UserAudit.LoadTest;

/// <summary>Thrown for a command line that cannot run; the message names the option.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary><c>--name value</c> options after a command word.</summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <summary>Parses <paramref name="args"/>: a command, then <c>--name value</c> pairs.</summary>
    public CommandLine(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        Command = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "help";
        for (var i = Command == "help" && (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal)) ? 0 : 1; i < args.Length; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || name.Length < 3)
            {
                throw new UsageException($"Expected an option such as --duration, found '{name}'.");
            }

            if (i + 1 >= args.Length)
            {
                throw new UsageException($"Option {name} needs a value.");
            }

            _options[name[2..]] = args[++i];
        }
    }

    /// <summary>The command word.</summary>
    public string Command { get; }

    /// <summary>A string option.</summary>
    public string? Text(string name)
    {
        _used.Add(name);
        return _options.GetValueOrDefault(name);
    }

    /// <summary>A whole-number option.</summary>
    public long? WholeNumber(string name, long min, long max)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        return long.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new UsageException($"--{name} must be a whole number from {min} to {max}, not '{text}'.");
    }

    /// <summary>A positive number option.</summary>
    public double? Number(string name)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value)
            ? value
            : throw new UsageException($"--{name} must be a positive number, not '{text}'.");
    }

    /// <summary>A duration: <c>500ms</c>, <c>30s</c>, <c>2m</c>, or a number of seconds.</summary>
    public TimeSpan? Duration(string name)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value)
            ? TimeSpan.FromSeconds(value * unit)
            : throw new UsageException($"--{name} must be a duration such as 500ms, 30s or 2m, not '{text}'.");
    }

    /// <summary>An absolute http(s) address.</summary>
    public Uri? Address(string name)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new UsageException($"--{name} must be an absolute http or https address, not '{text}'.");
    }

    /// <summary>One of the names of <typeparamref name="T"/>, case-insensitive.</summary>
    public T? Choice<T>(string name) where T : struct, Enum
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        return Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw new UsageException($"--{name} must be one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}, not '{text}'.");
    }

    /// <summary>Throws for options the command did not read: a typo must not silently run the defaults.</summary>
    public void RejectUnknown()
    {
        var unknown = _options.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"Unknown option(s) for '{Command}': {string.Join(", ", unknown.Select(k => "--" + k))}.");
        }
    }
}
