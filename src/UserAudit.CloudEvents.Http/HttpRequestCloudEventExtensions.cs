using System.Buffers;
using CloudNative.CloudEvents;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using UserAudit.CloudEvents.Core;

namespace UserAudit.CloudEvents.Http;

/// <summary>
/// The receiving side of the CloudEvents HTTP protocol binding for ASP.NET Core: binary,
/// structured and batch content modes.
/// </summary>
public static class HttpRequestCloudEventExtensions
{
    private static readonly Dictionary<string, KnownAttributeEntry> HeaderToAttribute =
        KnownAttributes.ByHeader(CloudEventHttpHeaders.Prefix, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Reads the CloudEvents in the request: one in binary mode (<c>ce-*</c> headers, percent-decoded)
    /// or structured mode (<c>application/cloudevents+json</c>), any number in batch mode
    /// (<c>application/cloudevents-batch+json</c>). Every event is validated: specversion 1.0, id,
    /// source and type present and non-empty, typed attributes well-formed.
    /// </summary>
    /// <param name="request">The request to read; its body is consumed.</param>
    /// <param name="formatter">The event formatter for structured and batch bodies and for binary-mode data.</param>
    /// <param name="maxBodyBytes">The largest body accepted, checked while reading (Content-Length alone is not trusted).</param>
    /// <param name="cancellationToken">Cancels reading the body.</param>
    /// <param name="extensionAttributes">Extension attribute definitions that give known extensions their types.</param>
    /// <returns>The events, in order.</returns>
    /// <exception cref="CloudEventBindingException">The request does not hold valid CloudEvents; <see cref="CloudEventBindingException.Error"/> says why.</exception>
    /// <exception cref="BadHttpRequestException">The server could not read the body (malformed chunked framing, a body that ends early or arrives too
    /// slowly); <see cref="BadHttpRequestException.StatusCode"/> is the 4xx to answer.</exception>
    public static async Task<IReadOnlyList<CloudEvent>> ReadCloudEventsAsync(
        this HttpRequest request,
        CloudEventFormatter formatter,
        long maxBodyBytes,
        CancellationToken cancellationToken,
        params IEnumerable<CloudEventAttribute>? extensionAttributes)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(formatter);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBodyBytes);

        string? contentTypeText = SingleValue(request.Headers.ContentType, CloudEventHttpHeaders.ContentType);
        if (contentTypeText is not null && MediaTypes.IsBatch(contentTypeText))
        {
            var contentType = MediaTypes.Parse(contentTypeText, CloudEventHttpHeaders.ContentType);
            var body = await ReadBodyAsync(request, maxBodyBytes, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<CloudEvent> batch;
            try
            {
                batch = formatter.DecodeBatchModeMessage(body, contentType, extensionAttributes);
            }
            catch (Exception e) when (FormatterFailure.Is(e))
            {
                throw JsonEventDiagnostics.DecodingFailure(body, contentType, "body", e, extensionAttributes);
            }
            foreach (var cloudEvent in batch)
            {
                EventValidation.Validate(cloudEvent, string.Empty, checkValues: true);
                EventValidation.RequireUtf8JsonData(cloudEvent, "data");
            }
            return batch;
        }
        if (contentTypeText is not null && MediaTypes.IsStructured(contentTypeText))
        {
            var contentType = MediaTypes.Parse(contentTypeText, CloudEventHttpHeaders.ContentType);
            var body = await ReadBodyAsync(request, maxBodyBytes, cancellationToken).ConfigureAwait(false);
            CloudEvent cloudEvent;
            try
            {
                cloudEvent = formatter.DecodeStructuredModeMessage(body, contentType, extensionAttributes);
            }
            catch (Exception e) when (FormatterFailure.Is(e))
            {
                throw JsonEventDiagnostics.DecodingFailure(body, contentType, "body", e, extensionAttributes);
            }
            EventValidation.Validate(cloudEvent, string.Empty, checkValues: true);
            return [EventValidation.RequireUtf8JsonData(cloudEvent, "data")];
        }

        var binaryEvent = ReadBinaryModeAttributes(request.Headers, contentTypeText, extensionAttributes);
        var data = await ReadBodyAsync(request, maxBodyBytes, cancellationToken).ConfigureAwait(false);
        // HTTP cannot tell an empty body from no body: both mean an event without data.
        if (data.Length > 0)
        {
            try
            {
                formatter.DecodeBinaryModeEventData(data, binaryEvent);
            }
            catch (FormatException e)
            {
                throw new CloudEventBindingException(
                    CloudEventBindingError.InvalidContentType, CloudEventHttpHeaders.ContentType,
                    "Header 'Content-Type' is not a valid media type.", e);
            }
            catch (Exception e) when (FormatterFailure.Is(e))
            {
                throw new CloudEventBindingException(
                    CloudEventBindingError.InvalidData, "body",
                    "The request body could not be decoded as the data content type declared in header 'Content-Type'.", e);
            }
            EventValidation.RequireUtf8JsonData(binaryEvent, "body");
        }
        return [binaryEvent];
    }

    private static CloudEvent ReadBinaryModeAttributes(IHeaderDictionary headers, string? contentTypeText, IEnumerable<CloudEventAttribute>? extensionAttributes)
    {
        string? specVersion = headers.TryGetValue(CloudEventHttpHeaders.SpecVersion, out var specVersionValues)
            ? SingleValue(specVersionValues, CloudEventHttpHeaders.SpecVersion)
            : null;
        if (specVersion is null)
        {
            throw new CloudEventBindingException(
                CloudEventBindingError.NotACloudEvent, CloudEventHttpHeaders.SpecVersion,
                "The request is not a CloudEvent: it has no 'ce-specversion' header and its 'Content-Type' is not a CloudEvents media type.");
        }
        if (PercentEncoding.Decode(specVersion, CloudEventHttpHeaders.SpecVersion) != CloudEventsSpecVersion.V1_0.VersionId)
        {
            throw AttributeErrors.UnsupportedSpecVersion(CloudEventHttpHeaders.SpecVersion);
        }

        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0, extensionAttributes);
        if (contentTypeText is not null)
        {
            // Content-Type is an ordinary HTTP header: it is not percent-encoded.
            AttributeDecoding.Set(cloudEvent, CloudEventsSpecVersion.V1_0.DataContentTypeAttribute, contentTypeText, CloudEventHttpHeaders.ContentType);
        }
        foreach (var header in headers)
        {
            string key = header.Key;
            if (!key.StartsWith(CloudEventHttpHeaders.Prefix, StringComparison.OrdinalIgnoreCase)
                || key.Equals(CloudEventHttpHeaders.SpecVersion, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            HeaderToAttribute.TryGetValue(key, out var known);
            // HTTP header names are case-insensitive; attribute names are lower case.
            string name = known?.Name ?? key[CloudEventHttpHeaders.Prefix.Length..].ToLowerInvariant();
            var attribute = AttributeDecoding.Resolve(cloudEvent, known, name, key);
            string text = PercentEncoding.Decode(SingleValue(header.Value, key) ?? string.Empty, key);
            AttributeDecoding.Set(cloudEvent, attribute, text, key);
        }
        return EventValidation.Validate(cloudEvent, CloudEventHttpHeaders.Prefix, checkValues: false);
    }

    private static string? SingleValue(StringValues values, string header) => values.Count switch
    {
        0 => null,
        1 => values[0],
        _ => throw new CloudEventBindingException(
            CloudEventBindingError.DuplicateHeader, header, $"Header '{header}' appears more than once."),
    };

    /// <summary>Reads the whole body, failing as soon as it exceeds the limit, whatever Content-Length said.</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, long maxBodyBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBodyBytes)
        {
            throw BodyTooLarge(maxBodyBytes);
        }
        int limit = (int)Math.Min(maxBodyBytes, Array.MaxLength - 1);
        int initialSize = (int)Math.Min(request.ContentLength ?? 4096, limit) + 1;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialSize, 256));
        try
        {
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, (long)limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                int read;
                try
                {
                    read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                }
                catch (IOException e) when (e is not BadHttpRequestException && !request.HttpContext.RequestAborted.IsCancellationRequested)
                {
                    // Kestrel reports most malformed framing as BadHttpRequestException, but a chunk
                    // size that overflows as a plain IOException: the same fault of the request.
                    throw new BadHttpRequestException($"The request body could not be read: {e.Message}", StatusCodes.Status400BadRequest, e);
                }
                if (read == 0)
                {
                    return buffer.AsSpan(0, length).ToArray();
                }
                length += read;
                if (length > limit)
                {
                    throw BodyTooLarge(maxBodyBytes);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static CloudEventBindingException BodyTooLarge(long maxBodyBytes) =>
        new(CloudEventBindingError.BodyTooLarge, "body", $"The request body is larger than the limit of {maxBodyBytes} bytes.");
}
