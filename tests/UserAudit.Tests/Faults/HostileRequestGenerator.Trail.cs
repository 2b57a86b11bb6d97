using System.Text;
using System.Text.Json;
using AuditService.Ingestion;

namespace UserAudit.Tests.Faults;

/// <summary>
/// The doors of a trail nobody can forge (issue 17): a key of the wrong role, events under a source
/// the key may not write, batches over the event cap, bad integrity queries, and idempotent creates
/// replayed with another request. Each has one right answer.
/// </summary>
internal sealed partial class HostileRequestGenerator
{
    private static readonly string[] ReadPathsForWrongRole =
    [
        "/v1/audit-events?limit=1", "/v1/audit-events/export?format=ndjson", "/v1/audit-events/counts", "/v1/audit-events/verify",
        "/v1/audit-events/checkpoints", "/v1/audit-events/checkpoints/public-key", "/v1/audit-events/conflicts", "/v1/audit-events/stream",
    ];

    private static readonly string[] ForgedSources =
    [
        "urn:useraudit:user-service", "URN:USERAUDIT:USER-SERVICE", "urn:UserAudit:user-service", "urn:useraudit:user%2Dservice",
        "urn:useraudit:user-service:shadow", "urn:useraudit:user-service/x", "urn:useraudit:user-service?x=1", "urn:billing:invoices",
        "https://example.com/events", "urn:useraudit-other:x", "/relative/source",
    ];

    private HostileRequest AuditWrongRole()
    {
        if (_random.Next(2) == 0)
        {
            return Audit("POST /v1/cloudevents with the read key (a valid event otherwise)", "POST", "/v1/cloudevents", ValidStructuredEvent(NextEventId()),
                key: _apiKey, exactStatus: 403);
        }

        var path = Pick(ReadPathsForWrongRole);
        return Audit($"GET {path.Split('?')[0]} with an ingest key", "GET", path, key: _ingestKey, exactStatus: 403);
    }

    private HostileRequest AuditForgedSource()
    {
        var source = Pick(ForgedSources);
        var members = EventMembers(NextEventId());
        Set(members, "source", JsonSerializer.Serialize(source));
        var forged = EventJson(members);
        switch (_random.Next(3))
        {
            case 0:
                var headers = BinaryHeaders(NextEventId());
                headers["ce-source"] = source;
                return Audit($"binary event of source {Show(source)}", "POST", "/v1/cloudevents", () => Content(new ByteArrayContent("{\"n\":1}"u8.ToArray()), "application/json"),
                    [.. headers.Select(h => (h.Key, h.Value))], exactStatus: 403);
            case 1:
                var structured = Encoding.UTF8.GetBytes(forged);
                return Audit($"structured event of source {Show(source)}", "POST", "/v1/cloudevents",
                    () => Content(new ByteArrayContent(structured), "application/cloudevents+json"), exactStatus: 403);
            default:
                // Granted events around it: none of the batch may be stored.
                var batch = Encoding.UTF8.GetBytes($"[{EventJson(EventMembers(NextEventId()))},{forged},{EventJson(EventMembers(NextEventId()))}]");
                return Audit($"batch with one event of source {Show(source)}", "POST", "/v1/cloudevents",
                    () => Content(new ByteArrayContent(batch), "application/cloudevents-batch+json"), exactStatus: 403);
        }
    }

    private HostileRequest AuditBatchCap()
    {
        var count = IngestionOptions.DefaultMaxBatchEvents + 1 + _random.Next(IngestionOptions.DefaultMaxBatchEvents);
        var body = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Range(0, count).Select(_ => EventJson(EventMembers(NextEventId())))) + "]");
        return Audit($"a batch of {count} valid events, over the cap of {IngestionOptions.DefaultMaxBatchEvents}", "POST", "/v1/cloudevents",
            () => Content(new ByteArrayContent(body), "application/cloudevents-batch+json"), exactStatus: 413);
    }

    private HostileRequest AuditIntegrityQuery()
    {
        var bad = Pick(["0", "-1", "abc", "1.5", "99999999999999999999", "", "%2B1", "1e3", "%00", "0x10"]);
        var (path, status) = _random.Next(6) switch
        {
            0 => ($"/v1/audit-events/verify?from={bad}", 400),
            1 => ($"/v1/audit-events/verify?to={bad}", 400),
            2 => ("/v1/audit-events/verify?from=10&to=9", 400),
            3 => ($"/v1/audit-events/checkpoints?{Pick(["cursor", "limit"])}={bad}", 400),
            4 => ($"/v1/audit-events/conflicts?{Pick(["cursor", "limit"])}={bad}", 400),
            _ => ($"/v1/audit-events/checkpoints/{Pick(["999999999", "9223372036854775807"])}", 404),
        };
        return Audit($"GET {Show(path)}", "GET", path, exactStatus: status);
    }

    private HostileRequest UsersIdempotencyReplay()
    {
        var (name, password) = _random.Next(3) switch
        {
            0 => (_keyedCreate.Name, _keyedCreate.Password + "x"),
            1 => (_keyedCreate.Name + " " + _marker, _keyedCreate.Password),
            _ => (UserName(), "another-password-" + _random.Next(1000)),
        };
        var body = JsonSerializer.Serialize(new { name, password });
        return Users("POST /v1/users replaying a live Idempotency-Key with another request", "POST", "/v1/users", Json(body),
            [("Idempotency-Key", _keyedCreate.Key)], exactStatus: 409);
    }
}
