using System.Globalization;
using System.Text;
using System.Text.Json;
using AuditService.Api;

namespace UserAudit.Tests.Faults;

/// <summary>The requests against AuditService: CloudEvents ingest in every content mode, the query API and its API key.</summary>
internal sealed partial class HostileRequestGenerator
{
    private static readonly string[] BadSpecVersions = ["0.3", "1.1", "2.0", "", "1", "1.0.0", "v1.0", "1.0%00", "%201.0", "1%2E0x", "1,0"];

    private static readonly string[] BadSources = ["", "http://[", "http://[::1", "a b", "%zz", "\\\\server", "http://exa mple.com", "<script>", "{}", "^", "`", "a%"];

    private static readonly string[] BadTimes =
    [
        "yesterday", "", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00:61Z",
        "2026-01-01T00:00:00", "0000-01-01T00:00:00Z", "2026-01-01T00:00:00+25:00", "9999-12-31T23:59:59-01:00", "1700000000", "2026-1-1T0:0:0Z",
        "2026-01-01T00:00:00ZZ", "2026-01-01", "T00:00:00Z", "0001-01-01T00:00:00+01:00",
        // Not "2026-01-01T00:00:00.Z": RFC 3339 wants a digit after the dot, but the CloudEvents SDK
        // accepts it, and the binding deliberately leaves unusual timestamps to the SDK.
    ];

    private static readonly string[] BadHeaderEscapes = ["%", "%G0", "%0", "%C3%28", "%FF", "%ED%A0%80", "%C0%AF", "%01", "%00", "%7F", "a%0Ab"];

    private static readonly string[] UnmappableHeaders = ["ce-", "ce-foo_bar", "ce-a.b", "ce-data", "ce-datacontenttype", "ce-a-b", "ce-Foo_Bar", "ce-x~y"];

    private static readonly string[] BadBinaryContentTypes =
        ["///", "application/json; charset", "application/json;;x", "text/", "a/b/c", "application/json; charset=bogus", "application/json; charset=\"", "/"];

    private HostileRequest AuditBinaryAttributes()
    {
        var headers = BinaryHeaders(NextEventId());
        var contentType = "application/json";
        string what;
        switch (_random.Next(15))
        {
            case 0:
                headers.Remove("ce-specversion");
                what = "no ce-specversion";
                break;
            case 1:
                headers["ce-specversion"] = Pick(BadSpecVersions);
                what = $"ce-specversion {Show(headers["ce-specversion"])}";
                break;
            case 2:
                var required = Pick(["ce-id", "ce-source", "ce-type"]);
                headers.Remove(required);
                what = $"no {required}";
                break;
            case 3:
                var empty = Pick(["ce-id", "ce-type", "ce-source"]);
                headers[empty] = "";
                what = $"empty {empty}";
                break;
            case 4:
                headers["ce-source"] = Pick(BadSources);
                what = $"ce-source {Show(headers["ce-source"])}";
                break;
            case 5:
            case 6:
                headers["ce-time"] = Pick(BadTimes);
                what = $"ce-time {Show(headers["ce-time"])}";
                break;
            case 7:
                var escaped = Pick(["ce-id", "ce-type", "ce-subject", "ce-myext"]);
                headers[escaped] = "a" + Pick(BadHeaderEscapes);
                what = $"{escaped} {Show(headers[escaped])}";
                break;
            case 8:
                headers["ce-dataschema"] = Pick(["not absolute", "relative/path", "http://[", "%zz", "a b", ""]);
                what = $"ce-dataschema {Show(headers["ce-dataschema"])}";
                break;
            case 9:
                var unmappable = Pick(UnmappableHeaders);
                headers[unmappable] = "x";
                what = $"header {unmappable}";
                break;
            case 10:
                var raw = Pick(["ce-id", "ce-subject", "ce-myext"]);
                headers[raw] = $"a{Pick(ControlCharacters)}b";
                what = $"{raw} with a raw control character";
                break;
            case 11:
                contentType = Pick(BadBinaryContentTypes);
                what = $"Content-Type {Show(contentType)}";
                break;
            case 12:
                headers.Remove("ce-specversion");
                headers["ce-specVersion2"] = "1.0";
                what = "no ce-specversion but a look-alike";
                break;
            case 13:
                headers["ce-time"] = Pick(BadTimes);
                headers["ce-source"] = Pick(BadSources);
                what = "bad ce-time and ce-source";
                break;
            default:
                headers["ce-subject"] = "a" + Pick(BadHeaderEscapes);
                headers.Remove("ce-type");
                what = "bad ce-subject and no ce-type";
                break;
        }

        var body = "{\"n\":1}"u8.ToArray();
        return Audit($"binary event with {what}", "POST", "/v1/cloudevents", () => Content(new ByteArrayContent(body), contentType), [.. headers.Select(h => (h.Key, h.Value))]);
    }

    private HostileRequest AuditBinaryData()
    {
        var headers = BinaryHeaders(NextEventId());
        var contentType = Pick(["application/json", "application/json; charset=utf-8"]);
        var (body, what) = _random.Next(4) switch
        {
            // Not cut to nothing: an empty body is an event without data (HTTP cannot tell them apart).
            0 => (Encoding.UTF8.GetBytes(Truncated("{\"user\":{\"id\":\"x\",\"roles\":[\"a\",\"b\"]}}", minimum: 1).Body), "JSON data cut short"),
            1 => (Encoding.UTF8.GetBytes(Pick(SyntaxTricks)), "JSON data with a syntax error"),
            2 => (Encoding.UTF8.GetBytes(DeeplyNested(_random.Next(65, 5000)).Body), "JSON data nested too deep"),
            _ => InvalidUtf8InJsonString(),
        };
        return Audit($"binary event ({contentType}) with {what}", "POST", "/v1/cloudevents", () => Content(new ByteArrayContent(body), contentType), [.. headers.Select(h => (h.Key, h.Value))]);
    }

    private (byte[] Body, string What) InvalidUtf8InJsonString()
    {
        var (name, bad) = Pick(InvalidUtf8);
        return (Bytes("{\"s\":\"ok", bad, "\"}"), $"invalid UTF-8 ({name}) in a JSON string");
    }

    /// <summary>A structured-mode event as ordered JSON members (raw JSON values), to break one at a time.</summary>
    private List<KeyValuePair<string, string>> EventMembers(string id) =>
    [
        new("specversion", "\"1.0\""),
        new("id", JsonSerializer.Serialize(id)),
        new("source", JsonSerializer.Serialize(EventSource)),
        new("type", $"\"{EventType}\""),
        new("subject", JsonSerializer.Serialize(_marker)),
        new("datacontenttype", "\"application/json\""),
        new("data", "{\"n\":1}"),
    ];

    private static string EventJson(List<KeyValuePair<string, string>> members) =>
        "{" + string.Join(",", members.Select(m => $"{JsonSerializer.Serialize(m.Key)}:{m.Value}")) + "}";

    private static void Set(List<KeyValuePair<string, string>> members, string name, string? rawValue)
    {
        var index = members.FindIndex(m => m.Key == name);
        if (index >= 0)
        {
            members.RemoveAt(index);
        }

        if (rawValue is not null)
        {
            members.Insert(index >= 0 ? index : members.Count, new(name, rawValue));
        }
    }

    /// <summary>One wrong member in an otherwise valid event.</summary>
    private (string Json, string What) BrokenEvent()
    {
        var members = EventMembers(NextEventId());
        string what;
        switch (_random.Next(14))
        {
            case 0:
                Set(members, "specversion", Pick<string?>([null, "\"0.3\"", "\"1.0.0\"", "1.0", "null", "\"\"", "\"2.0\""]));
                what = "bad or no specversion";
                break;
            case 1:
                Set(members, "id", Pick<string?>([null, "42", "\"\"", "null", "{}", "[]", "true"]));
                what = "bad or no id";
                break;
            case 2:
                Set(members, "id", $"\"{Pick(LoneSurrogateEscapes)}\"");
                what = "id with an unpaired surrogate escape";
                break;
            case 3:
                Set(members, "source", Pick<string?>([null, "\"\"", "5", .. BadSources.Where(b => b.Length > 0).Select(b => JsonSerializer.Serialize(b))]));
                what = "bad or no source";
                break;
            case 4:
                Set(members, "type", Pick<string?>([null, "\"\"", "7", "[\"a\"]"]));
                what = "bad or no type";
                break;
            case 5:
                Set(members, "time", Pick([.. BadTimes.Select(t => JsonSerializer.Serialize(t)), "1700000000", "true"]));
                what = "bad time";
                break;
            case 6:
                Set(members, "dataschema", Pick(["\"not absolute\"", "\"a b\"", "3", "\"http://[\""]));
                what = "bad dataschema";
                break;
            case 7:
                Set(members, "datacontenttype", Pick(["5", "\"///\"", "\"\"", "{}"]));
                what = "bad datacontenttype";
                break;
            case 8:
                Set(members, "subject", Pick(["5", "{}", "[]", "\"a\\u0000b\"", "\"\\u0007\""]));
                what = "bad subject";
                break;
            case 9:
                Set(members, "data", null);
                Set(members, "data_base64", Pick(["\"!!!not base64\"", "42", "\"abc\"", "{}"]));
                what = "bad data_base64";
                break;
            case 10:
                Set(members, "data_base64", "\"AAAA\"");
                what = "both data and data_base64";
                break;
            case 11:
                var extension = Pick(["Foo", "foo_bar", "", "f\u00f6o", "a-b", "UPPER", "x.y"]);
                Set(members, extension, "\"x\"");
                what = $"extension attribute named {Show(extension)}";
                break;
            case 12:
                Set(members, "myext", Pick(["{\"a\":1}", "[1,2]", "{}"]));
                what = "extension attribute with a structured value";
                break;
            default:
                Set(members, "data", DeeplyNested(_random.Next(65, 3000)).Body);
                what = "data nested too deep";
                break;
        }

        return (EventJson(members), what);
    }

    private HostileRequest AuditStructured()
    {
        var contentType = Pick(["application/cloudevents+json", "application/cloudevents+json; charset=utf-8"]);
        var valid = EventJson(EventMembers(NextEventId()));
        var (body, what) = _random.Next(8) switch
        {
            0 => Truncated(valid),
            1 => (valid + Pick(GarbageEnds), "trailing garbage"),
            2 => (Pick(TopLevelNonObjects), "a body that is not an object"),
            3 => (valid.Replace("\"1.0\"", "'1.0'", StringComparison.Ordinal), "single-quoted string"),
            4 => ("/*x*/" + valid, "a comment"),
            5 => (valid[..^1] + ",}", "a trailing comma"),
            _ => BrokenEvent(),
        };
        var bytes = Encoding.UTF8.GetBytes(body);
        return Audit($"structured event with {what}", "POST", "/v1/cloudevents", () => Content(new ByteArrayContent(bytes), contentType));
    }

    private HostileRequest AuditBatch()
    {
        string body;
        string what;
        switch (_random.Next(6))
        {
            case 0:
                body = Pick([EventJson(EventMembers(NextEventId())), "{}", "42", "\"x\"", "null", "true"]);
                what = "a batch that is not an array";
                break;
            case 1:
                body = Pick(["[]", "[ ]"]);
                what = "an empty batch";
                break;
            case 2:
                var valid = "[" + string.Join(",", Enumerable.Range(0, 1 + _random.Next(4)).Select(_ => EventJson(EventMembers(NextEventId())))) + "]";
                (body, what) = Truncated(valid);
                break;
            case 3:
                body = $"[[{EventJson(EventMembers(NextEventId()))}]]";
                what = "a nested batch";
                break;
            default:
                var members = Enumerable.Range(0, 1 + _random.Next(4)).Select(_ => EventJson(EventMembers(NextEventId()))).ToList();
                var (invalid, why) = _random.Next(3) == 0 ? (Pick(["1", "null", "\"x\"", "[]", "true"]), "a member that is not an object") : BrokenEvent();
                members.Insert(_random.Next(members.Count + 1), invalid);
                body = "[" + string.Join(",", members) + "]";
                what = $"{members.Count - 1} valid events and one with {why}";
                break;
        }

        var bytes = Encoding.UTF8.GetBytes(body);
        return Audit($"batch: {what}", "POST", "/v1/cloudevents", () => Content(new ByteArrayContent(bytes), "application/cloudevents-batch+json"));
    }

    private HostileRequest AuditHugeBody()
    {
        var size = AuditBodyLimit + 1 + _random.Next(4_000_000);
        var sized = _random.Next(2) == 0;
        var transfer = sized ? "Content-Length" : "chunked";
        var id = NextEventId();
        switch (_random.Next(3))
        {
            case 0:
                var headers = BinaryHeaders(id);
                return Audit($"binary event with {size} bytes of data ({transfer})", "POST", "/v1/cloudevents",
                    () => Content(new PatternContent([], size, 0x5A, [], sized), "application/octet-stream"), [.. headers.Select(h => (h.Key, h.Value))]);
            case 1:
                var members = EventMembers(id);
                Set(members, "data", "\"\"");
                var json = EventJson(members);
                var cut = json.IndexOf("\"data\":\"", StringComparison.Ordinal) + 8;
                return Audit($"structured event of {size} bytes ({transfer})", "POST", "/v1/cloudevents",
                    () => Content(new PatternContent(Encoding.UTF8.GetBytes(json[..cut]), size, (byte)'a', Encoding.UTF8.GetBytes(json[cut..]), sized), "application/cloudevents+json"));
            default:
                var first = EventJson(EventMembers(id));
                var second = EventMembers(NextEventId());
                Set(second, "data", "\"\"");
                var secondJson = EventJson(second);
                var at = secondJson.IndexOf("\"data\":\"", StringComparison.Ordinal) + 8;
                return Audit($"batch of {size} bytes ({transfer})", "POST", "/v1/cloudevents",
                    () => Content(new PatternContent(Encoding.UTF8.GetBytes($"[{first},{secondJson[..at]}"), size, (byte)'a', Encoding.UTF8.GetBytes(secondJson[at..] + "]"), sized),
                        "application/cloudevents-batch+json"));
        }
    }

    private HostileRequest AuditInvalidUtf8()
    {
        var (badName, bad) = Pick(InvalidUtf8);
        var members = EventMembers(NextEventId());
        var member = Pick(["id", "source", "type", "subject", "data", "myext"]);
        Set(members, member, "\"INVALID\"");
        var json = EventJson(members);
        var at = json.IndexOf("INVALID", StringComparison.Ordinal);
        var eventBytes = Bytes(json[..at], bad, json[(at + 7)..]);
        if (_random.Next(3) == 0)
        {
            var batch = Bytes("[" + EventJson(EventMembers(NextEventId())) + ",", eventBytes, "]");
            return Audit($"batch whose second event has invalid UTF-8 ({badName}) in {member}", "POST", "/v1/cloudevents",
                () => Content(new ByteArrayContent(batch), "application/cloudevents-batch+json"));
        }

        return Audit($"structured event with invalid UTF-8 ({badName}) in {member}", "POST", "/v1/cloudevents",
            () => Content(new ByteArrayContent(eventBytes), "application/cloudevents+json"));
    }

    private static readonly string[] BadAuditLimits =
    [
        "0", (AuditEventsApi.MaxPageSize + 1).ToString(CultureInfo.InvariantCulture), "-1", "abc", "1.5", "99999999999", "",
        "%201", "%2B5", "1e2", "0x10", "%EF%BC%95", "1,2", "1&limit=2",
    ];

    private static readonly string[] BadAuditCursors = ["0", "-1", "abc", "1.5", "99999999999999999999", "", "%2B1", "1e3", "%00"];

    private static readonly string[] BadQueryTimes =
    [
        "yesterday", "2026-01-01", "2026-01-01T00:00:00", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T25:00:00Z",
        "2026-01-01T00:00:00%2B25:00", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00%2B01:00", "1700000000",
        "2026-01-01T00:00:00.12345678Z", "2026-01-01T00:00:00ZZ", "", "%00", "%D9%A2%D9%A0%D9%A2%D9%A6-01-01T00:00:00Z", "2026-01-01T00:00:00%20%2B02:00",
    ];

    private HostileRequest AuditQuery()
    {
        var endpoint = Pick(["/v1/audit-events", "/v1/audit-events/export", "/v1/audit-events/counts", "/v1/audit-events/stream"]);
        string query;
        switch (_random.Next(8))
        {
            case 0:
                endpoint = "/v1/audit-events";
                query = $"limit={Pick(BadAuditLimits)}";
                break;
            case 1:
                endpoint = "/v1/audit-events";
                query = $"cursor={Pick(BadAuditCursors)}";
                break;
            case 2:
            case 3:
                query = $"{Pick(["from", "to"])}={Pick(BadQueryTimes)}";
                break;
            case 4:
                query = "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z";
                break;
            case 5:
                endpoint = "/v1/audit-events/export";
                query = $"format={Pick(["xml", "json", "", "csv", "batch2", "ndjson%00", "%20batch"])}";
                break;
            case 6:
                endpoint = "/v1/audit-events/counts";
                query = Pick([$"by={Pick(["day", "", "types", "minute", "hour%00", "source"])}", $"by=actor&limit={Pick(["0", "-1", "10001", "1e3", "%201", "99999999999"])}"]);
                break;
            default:
                endpoint = "/v1/audit-events/by-id";
                query = Pick(["", "source=urn:x", "id=1", "source=&id=1", "source=urn:x&id=", "source=&id="]);
                break;
        }

        return Audit($"GET {endpoint}?{Show(query)}", "GET", $"{endpoint}?{query}");
    }

    private HostileRequest AuditAuth()
    {
        var wrongKey = _random.Next(6) switch
        {
            0 => RandomToken(_apiKey.Length),
            1 => string.Concat(_apiKey.AsSpan(0, _apiKey.Length - 1), _apiKey[^1] == 'A' ? "B" : "A"),
            2 => _apiKey[..(_apiKey.Length / 2)],
            3 => _apiKey.ToLowerInvariant(),
            4 => _apiKey + "0",
            _ => "x",
        };
        var (headers, what) = _random.Next(9) switch
        {
            0 => (Array.Empty<(string, string)>(), "no key"),
            1 => ([("Authorization", $"Bearer {wrongKey}")], "a wrong bearer key"),
            2 => ([("X-Api-Key", wrongKey)], "a wrong X-Api-Key"),
            3 => ([("Authorization", $"Basic {Convert.ToBase64String(Encoding.UTF8.GetBytes(_apiKey))}")], "the key as Basic credentials"),
            4 => ([("Authorization", $"Token {_apiKey}")], "the key under another scheme"),
            5 => ([("Authorization", "Bearer")], "an empty bearer token"),
            6 => ([("X-Api-Key", "")], "an empty X-Api-Key"),
            7 => ([("Authorization", $"Bearer {wrongKey}"), ("X-Api-Key", _apiKey)], "a wrong bearer key next to the right X-Api-Key"),
            _ => ([("Authorization", $"bearer {wrongKey}")], "a wrong lower-case bearer key"),
        };
        var id = NextEventId();
        var (method, path, content) = _random.Next(6) switch
        {
            0 => ("GET", "/v1/audit-events?limit=1", null),
            1 => ("GET", $"/v1/audit-events/by-id?source={Uri.EscapeDataString(EventSource)}&id=1", null),
            2 => ("GET", "/v1/audit-events/export?format=ndjson", null),
            3 => ("GET", "/v1/audit-events/counts", null),
            4 => ("POST", $"/v1/cloudevents?key={_apiKey}", ValidStructuredEvent(id)),
            _ => ("POST", "/v1/cloudevents", ValidStructuredEvent(id)),
        };
        return Audit($"{method} {path.Split('?')[0]} with {what} (a valid request otherwise)", method, path, content, headers, withKey: false, exactStatus: 401);
    }

    private Func<HttpContent> ValidStructuredEvent(string id)
    {
        var bytes = Encoding.UTF8.GetBytes(EventJson(EventMembers(id)));
        return () => Content(new ByteArrayContent(bytes), "application/cloudevents+json");
    }

    private HostileRequest AuditMethodOrPath()
    {
        var (method, path) = Pick<(string, string)>(
        [
            ("GET", "/v1/cloudevents"), ("PUT", "/v1/cloudevents"), ("DELETE", "/v1/cloudevents"), ("PATCH", "/v1/cloudevents"),
            ("POST", "/v1/audit-events"), ("DELETE", "/v1/audit-events"), ("PUT", "/v1/audit-events/export"), ("POST", "/v1/audit-events/counts"),
            ("TRACE", "/v1/audit-events"), ("OPTIONS", "/v1/cloudevents"), ("FOO", "/v1/cloudevents"), ("HEAD", "/v1/cloudevents"),
            ("GET", "/v1/audit-event"), ("GET", "/v1/audit-events/by-id/x"), ("POST", "/v1/cloudevents/batch"), ("GET", "/v2/audit-events"),
            ("POST", "/v1/cloudevent"), ("DELETE", "/v1/audit-events/by-id"), ("POST", "/v1/audit-events/stream"), ("POST", "/trail/"),
            ("GET", "/trail/../appsettings.json"), ("GET", "/trail/%2e%2e/appsettings.json"), ("GET", "/appsettings.json"),
        ]);
        return Audit($"{method} {path}", method, path, method is "GET" or "HEAD" or "TRACE" or "OPTIONS" ? null : ValidStructuredEvent(NextEventId()));
    }

    private Dictionary<string, string> BinaryHeaders(string id) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["ce-specversion"] = "1.0",
        ["ce-id"] = id,
        ["ce-source"] = EventSource,
        ["ce-type"] = EventType,
        ["ce-subject"] = _marker,
    };

    private string NextEventId() => $"{_marker}-{++_eventNumber}";
}
