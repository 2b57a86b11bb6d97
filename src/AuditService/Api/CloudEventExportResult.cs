using System.Buffers;
using System.Reflection;
using System.Text.Json;
using AuditService.Store;
using Microsoft.AspNetCore.Http.Metadata;

namespace AuditService.Api;

/// <summary>The two shapes of an export.</summary>
public enum ExportFormat
{
    /// <summary>One JSON array of structured CloudEvents, <c>application/cloudevents-batch+json</c>.</summary>
    Batch,

    /// <summary>One structured CloudEvent JSON object per line, <c>application/x-ndjson</c>.</summary>
    Ndjson,
}

/// <summary>
/// Streams the events of a query as structured-mode CloudEvents JSON, row by row as the store
/// pages them out: the export is never held in memory whatever its size. <paramref name="slot"/>, the
/// export's slot when it has one, is given back once the response is written or abandoned.
/// </summary>
public sealed class CloudEventExportResult(IAsyncEnumerable<StoredAuditEvent> events, ExportFormat format, IDisposable? slot = null)
    : IResult, IEndpointMetadataProvider
{
    /// <summary>Media type of <see cref="ExportFormat.Batch"/>.</summary>
    public const string BatchMediaType = "application/cloudevents-batch+json";

    /// <summary>Media type of <see cref="ExportFormat.Ndjson"/>.</summary>
    public const string NdjsonMediaType = "application/x-ndjson";

    // Push to the client every so many events; the pipe's back-pressure bounds what is buffered.
    private const int FlushEvery = 100;

    /// <summary>The format written.</summary>
    public ExportFormat Format => format;

    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        using var exportSlot = slot;
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = (format == ExportFormat.Batch ? BatchMediaType : NdjsonMediaType) + "; charset=utf-8";
        var body = response.BodyWriter;
        await using var writer = new Utf8JsonWriter(body, StructuredCloudEventJson.WriterOptions);
        if (format == ExportFormat.Batch)
        {
            writer.WriteStartArray();
        }

        var count = 0;
        await foreach (var stored in events.WithCancellation(cancellationToken))
        {
            StructuredCloudEventJson.Write(writer, stored.Record);
            if (format == ExportFormat.Ndjson)
            {
                // Each line is its own JSON document: flush the writer, end the line, start afresh.
                writer.Flush();
                body.Write("\n"u8);
                writer.Reset(body);
            }

            if (++count % FlushEvery == 0)
            {
                writer.Flush();
                await body.FlushAsync(cancellationToken);
            }
        }

        if (format == ExportFormat.Batch)
        {
            writer.WriteEndArray();
        }

        writer.Flush();
        await body.FlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(void), [BatchMediaType, NdjsonMediaType]));
    }
}
