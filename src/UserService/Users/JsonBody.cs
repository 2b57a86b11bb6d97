using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;

namespace UserService.Users;

/// <summary>
/// Reads a JSON request body strictly: JSON media type, a size limit, no unknown fields, right
/// types. Every failure is a ProblemDetails that says what is wrong and where, without echoing
/// the input (it may hold a password).
/// </summary>
public static class JsonBody
{
    /// <summary>Largest accepted body.</summary>
    public const int MaxBytes = 16 * 1024;

    /// <summary>The body, or the problem that stops it.</summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentType is null || !IsJson(request.ContentType))
        {
            return (null, Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "The body must be application/json."));
        }

        if (request.ContentLength > MaxBytes)
        {
            return (null, Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body must be at most {MaxBytes} bytes."));
        }

        var buffer = new MemoryStream();
        var chunk = new byte[4096];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxBytes)
                {
                    return (null, Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body must be at most {MaxBytes} bytes."));
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (IOException ex) when (!request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // Kestrel refuses malformed framing from the body stream: a bad or overflowing chunk
            // size, a body shorter than its Content-Length, one that arrives too slowly.
            var status = ex is BadHttpRequestException rejected ? rejected.StatusCode : StatusCodes.Status400BadRequest;
            return (null, Problem(status, "Unreadable body", $"The request body could not be read: {ex.Message}"));
        }

        if (buffer.Length == 0)
        {
            return (null, Problem(StatusCodes.Status400BadRequest, "Missing body", "A JSON object is required."));
        }

        try
        {
            var value = JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), typeInfo);
            return value is null
                ? (null, Problem(StatusCodes.Status400BadRequest, "Invalid body", "The body must be a JSON object, not null."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            var where = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "the body" : $"'{ex.Path.TrimStart('$', '.')}'";
            var detail = ex.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? $"Unknown field at {where}: only the documented fields are accepted."
                : ex.InnerException is InvalidOperationException || ex.Message.Contains("could not be converted", StringComparison.Ordinal)
                    ? $"Wrong type at {where}."
                    : $"Malformed JSON near {where} (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}).";
            return (null, Problem(StatusCodes.Status400BadRequest, "Invalid JSON", detail));
        }
        catch (ArgumentException)
        {
            // Invalid UTF-8 surfaces as a decoder error.
            return (null, Problem(StatusCodes.Status400BadRequest, "Invalid JSON", "The body is not valid UTF-8 JSON."));
        }
    }

    /// <summary>A ProblemDetails result.</summary>
    public static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);

    /// <summary>
    /// A 429 ProblemDetails result, with the wait in whole seconds (at least one) in
    /// <c>Retry-After</c>.
    /// </summary>
    public static ProblemHttpResult TooManyRequests(HttpResponse response, TimeSpan wait, string title, string detail)
    {
        SetRetryAfter(response, wait);
        return Problem(StatusCodes.Status429TooManyRequests, title, detail);
    }

    /// <summary>Sets <c>Retry-After</c> to the wait in whole seconds, rounded up, at least one.</summary>
    public static void SetRetryAfter(HttpResponse response, TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }
}
