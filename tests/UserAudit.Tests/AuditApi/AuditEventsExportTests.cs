using System.Net;
using System.Net.Http.Headers;
using System.Net.Mime;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.AuditApi;

/// <summary><c>GET /v1/audit-events/export</c>: spec-correct structured CloudEvents, as a batch or as NDJSON.</summary>
public sealed class AuditEventsExportTests(UserAuditApp app)
{
    private const string Type = "org.useraudit.tests.exported.v1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Batch_export_is_a_cloudevents_batch_the_sdk_decodes_with_every_attribute()
    {
        var events = new AuditApiEvents(app);
        var (json, binary) = TwoKindsOfEvent(events);
        await events.StoreAsync([json, binary], Ct);

        using var response = await app.Audit.GetAsync(events.Query("/v1/audit-events/export") + "&format=batch", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/cloudevents-batch+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsByteArrayAsync(Ct);
        var decoded = AuditApiEvents.Formatter.DecodeBatchModeMessage(body, new ContentType("application/cloudevents-batch+json"), null);
        Assert.Equal(2, decoded.Count);
        AssertSame(binary, decoded[0]);
        AssertSame(json, decoded[1]);
    }

    [Fact]
    public async Task Ndjson_export_has_one_structured_cloudevent_per_line()
    {
        var events = new AuditApiEvents(app);
        var (json, binary) = TwoKindsOfEvent(events);
        await events.StoreAsync([json, binary], Ct);

        using var response = await app.Audit.GetAsync(events.Query("/v1/audit-events/export") + "&format=ndjson", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var decoded = lines.Select(line => AuditApiEvents.Formatter.DecodeStructuredModeMessage(
            Encoding.UTF8.GetBytes(line), new ContentType("application/cloudevents+json"), null)).ToList();
        AssertSame(binary, decoded[0]);
        AssertSame(json, decoded[1]);
        using var raw = JsonDocument.Parse(lines[0]);
        Assert.Equal("1.0", raw.RootElement.GetProperty("specversion").GetString());
        Assert.Equal("c29tZSBieXRlcw==", raw.RootElement.GetProperty("data_base64").GetString());
    }

    [Fact]
    public async Task The_accept_header_chooses_the_format_when_none_is_named()
    {
        var events = new AuditApiEvents(app);
        await events.StoreAsync([events.Json(Type, AuditApiEvents.NewSubject(), AuditApiEvents.BaseTime)], Ct);

        using var request = new HttpRequestMessage(HttpMethod.Get, events.Query("/v1/audit-events/export"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        using var ndjson = await app.Audit.SendAsync(request, Ct);
        using var byDefault = await app.Audit.GetAsync(events.Query("/v1/audit-events/export"), Ct);

        Assert.Equal("application/x-ndjson", ndjson.Content.Headers.ContentType?.MediaType);
        Assert.Equal("application/cloudevents-batch+json", byDefault.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Export_applies_the_filters_and_streams_more_than_one_store_page()
    {
        var events = new AuditApiEvents(app);
        var subject = AuditApiEvents.NewSubject();
        // More than the 500 rows the export reads per store query, in the range, plus one outside it.
        var inRange = Enumerable.Range(0, 1_203).Select(i => events.Json(Type, subject, AuditApiEvents.BaseTime.AddSeconds(i))).ToList();
        await events.StoreAsync([.. inRange, events.Json(Type, subject, AuditApiEvents.BaseTime.AddDays(1))], Ct);

        var to = AuditApiEvents.Time(AuditApiEvents.BaseTime.AddHours(1));
        using var response = await app.Audit.GetAsync(events.Query("/v1/audit-events/export") + $"&format=ndjson&type={Type}&subject={subject}&to={to}",
            HttpCompletionOption.ResponseHeadersRead, Ct);
        await using var stream = await response.Content.ReadAsStreamAsync(Ct);
        using var reader = new StreamReader(stream);
        var ids = new List<string>();
        while (await reader.ReadLineAsync(Ct) is { } line)
        {
            using var document = JsonDocument.Parse(line);
            ids.Add(document.RootElement.GetProperty("id").GetString()!);
        }

        Assert.Equal(inRange.Select(e => e.Id).Reverse(), ids);
    }

    [Fact]
    public async Task Ndjson_export_of_pretty_printed_and_hostile_data_has_exactly_one_line_per_event()
    {
        var events = new AuditApiEvents(app);
        var subject = AuditApiEvents.NewSubject();
        var smuggled = $$"""{"specversion":"1.0","id":"smuggled","source":"{{events.Source}}","type":"{{Type}}"}""";
        string[] data =
        [
            """
            {
              "pretty": true,
              "nested": { "a": [ 1,
                2 ] }
            }
            """,
            "{\"line\":\"one\\ntwo\\r\\nthree\",\"separators\":\"\u2028\u2029\",\"nul\":\"\\u0000\"}",
            $"[\n{smuggled}\n]",
            JsonSerializer.Serialize(new { value = "\n" + smuggled + "\n" }),
        ];
        var sent = data.Select(d =>
        {
            var e = events.Json(Type, subject, AuditApiEvents.BaseTime);
            e.Data = JsonDocument.Parse(d).RootElement.Clone();
            return e;
        }).ToList();
        await events.StoreAsync(sent, Ct);

        var body = await app.Audit.GetStringAsync(events.Query("/v1/audit-events/export") + "&format=ndjson", Ct);

        var lines = body.Split('\n');
        Assert.Equal(sent.Count + 1, lines.Length);
        Assert.Equal("", lines[^1]);
        var ids = lines[..^1].Select(line =>
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.GetProperty("id").GetString();
        }).ToList();
        Assert.Equal(sent.Select(e => e.Id).Reverse(), ids);
        Assert.DoesNotContain("smuggled", ids);
        Assert.DoesNotContain('\r', body);
    }

    private static (CloudEvent Json, CloudEvent Binary) TwoKindsOfEvent(AuditApiEvents events)
    {
        var subject = AuditApiEvents.NewSubject();
        var json = events.Json(Type, subject, AuditApiEvents.BaseTime);
        json.DataSchema = new Uri("https://example.com/schemas/exported.json");
        json["tenant"] = "blue";
        var binary = new CloudEvent
        {
            Id = Guid.NewGuid().ToString(),
            Source = new Uri(events.Source),
            Type = Type,
            Subject = subject,
            Time = AuditApiEvents.BaseTime.AddMinutes(1),
            DataContentType = "application/octet-stream",
            Data = "some bytes"u8.ToArray(),
        };
        return (json, binary);
    }

    private static void AssertSame(CloudEvent expected, CloudEvent actual)
    {
        Assert.Equal(expected.SpecVersion, actual.SpecVersion);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Source, actual.Source);
        Assert.Equal(expected.Type, actual.Type);
        Assert.Equal(expected.Subject, actual.Subject);
        Assert.Equal(expected.Time, actual.Time);
        Assert.Equal(expected.DataContentType, actual.DataContentType);
        Assert.Equal(expected.DataSchema, actual.DataSchema);
        Assert.Equal(expected["tenant"], actual["tenant"]);
        switch (expected.Data)
        {
            case JsonElement element:
                Assert.Equal(element.GetRawText(), Assert.IsType<JsonElement>(actual.Data).GetRawText());
                break;
            case byte[] bytes:
                Assert.Equal(bytes, Assert.IsType<byte[]>(actual.Data));
                break;
            default:
                Assert.Fail("Unexpected data.");
                break;
        }
    }
}
