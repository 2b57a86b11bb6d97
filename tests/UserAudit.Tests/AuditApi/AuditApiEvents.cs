using System.Net;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using UserAudit.CloudEvents.Http;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.AuditApi;

/// <summary>
/// Events of one test: a source of its own (so filters on it isolate the test from every other
/// event in the shared application), stored through the HTTP ingest endpoint with the tests' ingest key.
/// </summary>
internal sealed class AuditApiEvents(UserAuditApp app)
{
    public static JsonEventFormatter Formatter { get; } = new();

    /// <summary>A fixed hour long past, so time filters never meet events of other tests by accident.</summary>
    public static readonly DateTimeOffset BaseTime = new(2020, 3, 4, 10, 0, 0, TimeSpan.Zero);

    public string Source { get; } = $"{UserAuditApp.TestSources}{Guid.NewGuid():N}";

    public static string NewSubject() => $"user-{Guid.NewGuid():N}";

    public CloudEvent Json(string type, string subject, DateTimeOffset time) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Source = new Uri(Source),
        Type = type,
        Subject = subject,
        Time = time,
        DataContentType = "application/json",
        Data = JsonDocument.Parse($$"""{"subject":"{{subject}}","n":1}""").RootElement.Clone(),
    };

    /// <summary>
    /// Stores the events in batch requests of at most AuditService's batch cap, one after the other;
    /// they are stored (and ordered) as given.
    /// </summary>
    public async Task StoreAsync(IEnumerable<CloudEvent> events, CancellationToken cancellationToken)
    {
        foreach (var batch in events.Chunk(AuditService.Ingestion.IngestionOptions.DefaultMaxBatchEvents))
        {
            using var content = batch.ToHttpBatchContent(Formatter);
            using var response = await app.Ingest.PostAsync("/v1/cloudevents", content, cancellationToken);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
    }

    /// <summary>The query string of this test's source, to append further parameters to.</summary>
    public string Query(string path) => $"{path}?source={Uri.EscapeDataString(Source)}";

    public static string Time(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));

    public static StringContent TextBody(string text) => new(text, Encoding.UTF8, "text/plain");
}
