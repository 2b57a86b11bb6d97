using System.Globalization;
using System.Text;

namespace UserAudit.Tests.Faults;

/// <summary>Requests HttpClient refuses to send, written to sockets: broken framing, header syntax, request lines, huge headers.</summary>
internal sealed partial class HostileRequestGenerator
{
    private HostileRequest UsersRaw()
    {
        var name = UserName();
        var body = $"{{\"name\":\"{name}\",\"password\":";
        var target = Pick(["/v1/users/not-a-uuid", "/v1/users?limit=0", $"/v1/users/{Pick(_existing)}x"]);
        var (bad, badName) = PickInvalidUtf8();
        var (request, what) = _random.Next(9) switch
        {
            0 => (RawPost("/v1/users", "application/json", body, [$"Idempotency-Key: key{bad}key"]), $"invalid UTF-8 ({badName}) in Idempotency-Key"),
            1 => (RawGet(target, [$"X-Trace: {bad}"]), $"invalid UTF-8 ({badName}) in a header value"),
            2 => (RawPost("/v1/users", $"application/json{bad}", body), $"invalid UTF-8 ({badName}) in Content-Type"),
            3 => (RawPost("/v1/users", "application/json", body, [$"Idempotency-Key: key{Pick(["\u0001", "\u0000", "\u007f", "\u001b"])}key"]), "control character in Idempotency-Key"),
            4 => RawFraming("/v1/users", body),
            5 => RawLongHeaders(target),
            6 => RawRequestLine(target),
            7 => RawHeaderSyntax(target),
            _ => (RawPost($"/v1/users/{Pick(_existing)}", "application/json", $"{{\"name\":\"{name}\"}}", [$"If-Match: \"1{bad}\""], method: "PATCH"), $"invalid UTF-8 ({badName}) in If-Match"),
        };
        return new HostileRequest(0, UserServiceName, "", $"raw: {what}", null, request, ProblemJson: false);
    }

    private HostileRequest AuditRaw()
    {
        var members = EventMembers(NextEventId());
        Set(members, "id", "42");
        var body = EventJson(members);
        var target = Pick(["/v1/audit-events?limit=0", "/v1/audit-events/counts?by=day", "/v1/audit-events?from=never"]);
        var (bad, badName) = PickInvalidUtf8();
        var id = NextEventId();
        string[] ce = ["ce-specversion: 1.0", $"ce-source: {EventSource}", $"ce-type: {EventType}"];
        var (request, what) = _random.Next(10) switch
        {
            0 => (RawPost("/v1/cloudevents", "application/json", "{}", [.. ce, $"ce-id: {id}{bad}"]), $"invalid UTF-8 ({badName}) in ce-id"),
            1 => (RawPost("/v1/cloudevents", "application/json", "{}", ["ce-specversion: 1.0", $"ce-id: {id}", $"ce-type: {EventType}", $"ce-source: urn:{bad}"]),
                $"invalid UTF-8 ({badName}) in ce-source"),
            2 => (RawPost("/v1/cloudevents", "application/json", "{}", [.. ce, $"ce-id: {id}", $"ce-id: {id}-again"]), "ce-id twice"),
            3 => (RawPost("/v1/cloudevents", "application/json", "{}",
                    ["ce-specversion: 1.0", "ce-specversion: 1.0", $"ce-id: {id}", $"ce-source: {EventSource}", $"ce-type: {EventType}"]),
                "ce-specversion twice"),
            4 => (RawPost("/v1/cloudevents", "application/json", "{}", [.. ce, $"ce-id: {id}"], key: $"{_ingestKey[..8]}{bad}"), $"invalid UTF-8 ({badName}) in the API key"),
            5 => RawFraming("/v1/cloudevents", body, "application/cloudevents+json"),
            6 => RawLongHeaders(target),
            7 => RawRequestLine(target),
            8 => RawHeaderSyntax(target),
            _ => (RawPost("/v1/cloudevents", "application/cloudevents+json", body, ["Content-Type: application/json"]), "Content-Type twice"),
        };
        return new HostileRequest(0, AuditServiceName, "", $"raw: {what}", null, request, ProblemJson: false);
    }

    /// <summary>Body framing the HTTP layer must refuse; the body is wrong for the application too.</summary>
    private (RawRequest Request, string What) RawFraming(string path, string invalidBody, string contentType = "application/json")
    {
        var length = Encoding.UTF8.GetByteCount(invalidBody);
        var plain = $"Content-Type: {contentType}";
        switch (_random.Next(9))
        {
            case 0:
                return (RawBytes($"POST {path} HTTP/1.1", [plain, $"Content-Length: {length}", $"Content-Length: {length + 1}"], invalidBody), "two different Content-Length headers");
            case 1:
                return (RawBytes($"POST {path} HTTP/1.1", [plain, $"Content-Length: {length}, {length}"], invalidBody), "Content-Length listed twice");
            case 2:
                var claimed = length + 1 + _random.Next(100);
                return (RawBytes($"POST {path} HTTP/1.1", [plain, $"Content-Length: {claimed}", "Connection: close"], invalidBody, halfClose: true),
                    $"Content-Length {claimed} for {length} bytes, then the client stops sending");
            case 3:
                var huge = Pick(["99999999999999999999", "-1", "abc", "1 2", "0x10", "1e3", "+5"]);
                return (RawBytes($"POST {path} HTTP/1.1", [plain, $"Content-Length: {huge}"], invalidBody), $"Content-Length {huge}");
            case 4:
                var big = Pick(["10000000000", "9223372036854775807", "2000000", "31457281"]);
                return (RawBytes($"POST {path} HTTP/1.1", [plain, $"Content-Length: {big}", "Expect: 100-continue"], ""), $"Content-Length {big} with Expect: 100-continue and no body");
            case 5:
                return (RawBytes($"POST {path} HTTP/1.1", [plain, $"Content-Length: {length}", "Transfer-Encoding: chunked"], $"{length:x}\r\n{invalidBody}\r\n0\r\n\r\n"),
                    "Content-Length and Transfer-Encoding: chunked");
            case 6:
                var coding = Pick(["gzip", "chunked, gzip", "identity", "xchunked", "chunked;q=1", "chunked, chunked"]);
                return (RawBytes($"POST {path} HTTP/1.1", [plain, $"Transfer-Encoding: {coding}"], $"{length:x}\r\n{invalidBody}\r\n0\r\n\r\n"), $"Transfer-Encoding: {coding}");
            case 7:
                var chunk = Pick([$"zz\r\n{invalidBody}\r\n0\r\n\r\n", $"FFFFFFFFFFFFFFFFFF\r\n{invalidBody}\r\n0\r\n\r\n", $"{length + 5:x}\r\n{invalidBody}\r\n0\r\n\r\n",
                    $"{length:x}\r\n{invalidBody}0\r\n\r\n", $"{length:x};{new string('e', 5000)}\r\n{invalidBody}\r\n0\r\n\r\n",
                    $"-1\r\n{invalidBody}\r\n0\r\n\r\n", $"{length:x}\n{invalidBody}\n0\n\n"]);
                return (RawBytes($"POST {path} HTTP/1.1", [plain, "Transfer-Encoding: chunked"], chunk), $"malformed chunked body {Show(chunk[..Math.Min(chunk.Length, 12)])}");
            default:
                return (RawBytes($"POST {path} HTTP/1.1", [plain, "Transfer-Encoding: chunked"], $"{length:x}\r\n{invalidBody}\r\n", halfClose: true),
                    "chunked body without its last chunk, then the client stops sending");
        }
    }

    private (RawRequest Request, string What) RawLongHeaders(string target)
    {
        if (_random.Next(2) == 0)
        {
            var size = 33 * 1024 + _random.Next(2 * 1024 * 1024);
            var name = Pick(["X-Filler", "Cookie", "ce-subject", "Authorization", "Idempotency-Key"]);
            return (new RawRequest(() => Encoding.Latin1.GetBytes($"GET {target} HTTP/1.1\r\nHost: localhost\r\n{name}: {new string('a', size)}\r\n\r\n")), $"{name} header of {size} bytes");
        }

        var count = 101 + _random.Next(1000);
        return (new RawRequest(() =>
        {
            var text = new StringBuilder($"GET {target} HTTP/1.1\r\nHost: localhost\r\n");
            for (var i = 0; i < count; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"X-H{i}: v\r\n");
            }

            return Encoding.Latin1.GetBytes(text.Append("\r\n").ToString());
        }), $"{count} headers");
    }

    private (RawRequest Request, string What) RawRequestLine(string target)
    {
        var line = _random.Next(22) switch
        {
            0 => $"GET {target} HTTP/1.1\r\n\r\n",
            1 => $"GET  {target} HTTP/1.1\r\nHost: localhost\r\n\r\n",
            2 => $"GET {target}  HTTP/1.1\r\nHost: localhost\r\n\r\n",
            3 => $"GET {target} HTTP/1.1 x\r\nHost: localhost\r\n\r\n",
            4 => $"GET {target.TrimStart('/')} HTTP/1.1\r\nHost: localhost\r\n\r\n",
            5 => $"G T {target} HTTP/1.1\r\nHost: localhost\r\n\r\n",
            6 => $"GE(T {target} HTTP/1.1\r\nHost: localhost\r\n\r\n",
            7 => $"GET {target}\u0000x HTTP/1.1\r\nHost: localhost\r\n\r\n",
            8 => $"GET {target.Replace("/v1", "/v 1", StringComparison.Ordinal)} HTTP/1.1\r\nHost: localhost\r\n\r\n",
            9 => $"GET {target}\r\n\r\n",
            10 => RandomBytesText(64 + _random.Next(448)) + "\r\n\r\n",
            11 => "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003" + RandomBytesText(100),
            12 => $"GET http://other.example{target} HTTP/1.1\r\nHost: localhost\r\n\r\n",
            13 => $"GET {target} HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            14 => $"GET {target} HTTP/1.1\r\nHost: \u00ff\u00fe\r\n\r\n",
            15 => $"GET /%{target} HTTP/1.1\r\nHost: localhost\r\n\r\n",
            16 => $"GET {target} HTTP/1.1\r\n Host: localhost\r\n\r\n",
            17 => $"GET {target} HTTP/1.1x\r\nHost: localhost\r\n\r\n",
            // Not "http/1.1", "HTTQ/1.1" or "HTTP/1.2": Kestrel answers any unknown eight-character
            // version with 505, which RFC 9110 allows for a version the server does not support,
            // and a service cannot change it.
            18 => $"GET {target} HTTP/1.1\r\r\nHost: localhost\r\n\r\n",
            19 => $"GET\u00a0{target} HTTP/1.1\r\nHost: localhost\r\n\r\n",
            20 => $"{new string('G', 9000)} {target} HTTP/1.1\r\nHost: localhost\r\n\r\n",
            _ => $"GET {target}#fragment HTTP/1.1\r\nHost: localhost\r\n\r\n",
        };
        return (new RawRequest(() => Encoding.Latin1.GetBytes(line)), $"request line {Show(line[..Math.Min(line.Length, 40)])}");
    }

    private (RawRequest Request, string What) RawHeaderSyntax(string target)
    {
        var header = _random.Next(10) switch
        {
            0 => "X-No-Colon value",
            1 => "X Space: value",
            2 => "X-Before-Colon : value",
            3 => "X-Folded: value\r\n continued",
            4 => "X-Nul: a\u0000b",
            5 => "X-Bare-CR: a\rb",
            6 => ": no name",
            7 => "X-\u00e9: latin-1 name",
            8 => "X-Lf: value\nX-Other: value",
            _ => "(): value",
        };
        return (new RawRequest(() => Encoding.Latin1.GetBytes($"GET {target} HTTP/1.1\r\nHost: localhost\r\n{header}\r\n\r\n")), $"header {Show(header)}");
    }

    private RawRequest RawPost(string path, string contentType, string body, string[]? headers = null, string method = "POST", string? key = null)
    {
        var lines = new List<string> { $"Content-Type: {contentType}", $"Authorization: Bearer {key ?? KeyFor(method, path)}" };
        lines.AddRange(headers ?? []);
        return RawBytes($"{method} {path} HTTP/1.1", [.. lines, $"Content-Length: {Encoding.Latin1.GetByteCount(body)}"], body);
    }

    private RawRequest RawGet(string target, string[] headers) =>
        RawBytes($"GET {target} HTTP/1.1", [$"Authorization: Bearer {KeyFor("GET", target)}", .. headers], "");

    /// <summary>
    /// A request as bytes: text characters are written as their Latin-1 byte, so that a string can
    /// carry any byte (invalid UTF-8 included).
    /// </summary>
    private RawRequest RawBytes(string requestLine, string[] headers, string body, bool halfClose = false)
    {
        var hasAuthorization = headers.Any(h => h.StartsWith("Authorization:", StringComparison.OrdinalIgnoreCase));
        var target = requestLine.Split(' ');
        var key = target.Length > 1 ? KeyFor(target[0], target[1]) : _apiKey;
        var text = $"{requestLine}\r\nHost: localhost\r\n{(hasAuthorization ? "" : $"Authorization: Bearer {key}\r\n")}{string.Join("", headers.Select(h => h + "\r\n"))}\r\n{body}";
        return new RawRequest(() => Encoding.Latin1.GetBytes(text), halfClose);
    }
}
