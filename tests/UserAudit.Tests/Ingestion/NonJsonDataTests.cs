using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.Ingestion;

/// <summary>
/// Events whose data the JSON event format carries as a string (any non-JSON text, as in the
/// format's own <c>application/xml</c> example) are stored as their bytes over HTTP and Kafka alike;
/// data that cannot be stored at all is a 400 naming <c>data</c> over HTTP, never a 500.
/// </summary>
public sealed class NonJsonDataTests(UserAuditApp app)
{
    private const string Xml = "<much wow=\"xml\"/>";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Structured(string source, string id, string subject, string dataContentType, string data) =>
        $$"""{"specversion":"1.0","id":"{{id}}","source":"{{source}}","type":"org.example.xml.v1","subject":"{{subject}}","datacontenttype":"{{dataContentType}}","data":{{data}}}""";

    [Fact]
    public async Task Xml_text_data_sent_over_http_is_stored_as_its_bytes()
    {
        var (source, id) = (UserAuditApp.TestSources + "xml", Guid.NewGuid().ToString());
        using var body = new StringContent(Structured(source, id, "xml-http", "application/xml", JsonSerializer.Serialize(Xml)),
            Encoding.UTF8, "application/cloudevents+json");

        using var response = await app.Ingest.PostAsync("/v1/cloudevents", body, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var stored = await app.Audit.GetFromJsonAsync<JsonElement>($"/v1/audit-events/by-id?source={Uri.EscapeDataString(source)}&id={id}", Ct);
        Assert.Equal("application/xml", stored.GetProperty("dataContentType").GetString());
        Assert.Equal(Xml, Encoding.UTF8.GetString(Convert.FromBase64String(stored.GetProperty("dataBase64").GetString()!)));
    }

    [Fact]
    public async Task Xml_text_data_from_kafka_is_stored_not_dead_lettered()
    {
        var subject = "xml-kafka-" + Guid.NewGuid().ToString("N");
        using var kafka = new AuditTopicClient(app.KafkaBootstrapServers);
        await kafka.ProduceAsync(new Message<string?, byte[]?>
        {
            Key = subject,
            Value = Encoding.UTF8.GetBytes(Structured("urn:useraudit:tests:xml", Guid.NewGuid().ToString(), subject, "application/xml", JsonSerializer.Serialize(Xml))),
            Headers = [new Header("content-type", "application/cloudevents+json; charset=utf-8"u8.ToArray())],
        }, Ct);

        var stored = Assert.Single(await app.WaitForAuditEventsAsync(subject, 1, Ct));
        Assert.Equal(Xml, Encoding.UTF8.GetString(Convert.FromBase64String(stored.GetProperty("dataBase64").GetString()!)));
    }

    [Theory]
    [InlineData("application/json", """{"s":"\ud800"}""")]
    [InlineData("text/plain; charset=no-such-charset", "\"text\"")]
    public async Task Data_that_cannot_be_stored_is_a_400_naming_data_and_nothing_is_stored(string dataContentType, string data)
    {
        var (source, id) = (UserAuditApp.TestSources + "unstorable", Guid.NewGuid().ToString());
        using var body = new StringContent(Structured(source, id, "unstorable", dataContentType, data), Encoding.UTF8, "application/cloudevents+json");

        using var response = await app.Ingest.PostAsync("/v1/cloudevents", body, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("InvalidData", problem.GetProperty("error").GetString());
        Assert.Equal("data", problem.GetProperty("member").GetString());
        using var stored = await app.Audit.GetAsync($"/v1/audit-events/by-id?source={Uri.EscapeDataString(source)}&id={id}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, stored.StatusCode);
    }
}
