using System.Globalization;
using System.Text;
using System.Text.Json;
using UserService.Users;

namespace UserAudit.Tests.Faults;

/// <summary>The requests against UserService: <c>/v1/users</c> with every kind of wrong body, header, id and query.</summary>
internal sealed partial class HostileRequestGenerator
{
    private static readonly string[] WrongTypeValues =
        ["123", "-1.5e300", "1e999", "0", "true", "false", "[]", "[\"a\",\"b\"]", "{}", "{\"first\":\"x\"}", "[null]"];

    private static readonly string[] TopLevelNonObjects = ["[]", "[{}]", "\"text\"", "42", "true", "null", "[\"name\",\"x\"]"];

    private HostileRequest UsersWrongTypes()
    {
        var value = Pick(WrongTypeValues);
        var (method, path) = UserWriteTarget();
        var (body, what) = _random.Next(4) switch
        {
            0 => ($$"""{"name":{{value}},"password":"{{Password}}"}""", $"name is {value}"),
            1 => ($$"""{"name":"{{UserName()}}","password":{{value}}}""", $"password is {value}"),
            2 => ($$"""{"name":{{value}},"password":{{value}}}""", $"name and password are {value}"),
            _ => (Pick(TopLevelNonObjects), "body is not an object"),
        };
        return Users($"{method} where {what}", method, path, Json(body));
    }

    private static readonly string[] UnknownFieldNames =
    [
        "admin", "isAdmin", "role", "id", "version", "passwordHash", "createdAt", "__proto__", "constructor", "",
        "name ", "pass word", "password2", "n\u0430me", "na\uff4de", "$type", "$id", "$ref", "@odata.type", "email",
    ];

    private static readonly string[] AnyJsonValues = ["true", "1", "\"x\"", "null", "{}", "[]", "{\"a\":{\"b\":[1,2]}}"];

    private HostileRequest UsersUnknownFields()
    {
        var field = Pick(UnknownFieldNames);
        var extra = $"{JsonSerializer.Serialize(field)}:{Pick(AnyJsonValues)}";
        var (method, path) = UserWriteTarget();
        var known = $"\"name\":\"{UserName()}\",\"password\":\"{Password}\"";
        var body = _random.Next(3) switch
        {
            0 => $"{{{extra},{known}}}",
            1 => $"{{{known},{extra}}}",
            _ => $"{{{extra}}}",
        };
        return Users($"{method} with unknown field {Show(field)}", method, path, Json(body));
    }

    private HostileRequest UsersRuleViolations()
    {
        var (method, path) = UserWriteTarget();
        var name = UserName();
        var (body, what) = _random.Next(10) switch
        {
            0 => ($$"""{"name":"","password":"{{Password}}"}""", "empty name"),
            1 => ($$"""{"name":"{{Pick(["   ", "\\t\\t", "\\n", " \\r\\n "])}}","password":"{{Password}}"}""", "blank name"),
            2 => ($$"""{"name":"{{name}}{{new string('n', UserRules.NameMax + 1 + _random.Next(300))}}","password":"{{Password}}"}""", $"name over {UserRules.NameMax} characters"),
            3 => ($$"""{"name":"{{name}}\u{{Pick([0, 1, 7, 8, 0x1b, 0x1f, 0x7f, 0x85, 0x9f]):x4}}x","password":"{{Password}}"}""", "control character in name"),
            4 => ($$"""{"name":"{{name}}","password":"{{RandomAscii(_random.Next(UserRules.PasswordMin))}}"}""", $"password under {UserRules.PasswordMin} characters"),
            5 => ($$"""{"name":"{{name}}","password":"{{RandomAscii(UserRules.PasswordMax + 1 + _random.Next(500))}}"}""", $"password over {UserRules.PasswordMax} characters"),
            6 => ($$"""{"password":"{{Password}}"}""", "no name"),
            7 => ($$"""{"name":null,"password":null}""", "null name and password"),
            8 => ("{}", "empty object"),
            _ => ($$"""{"name":"{{name}}"}""", "no password"),
        };
        if (what == "no password" && method != "POST")
        {
            // PUT and PATCH may leave the password out: make the name break the rule instead.
            body = $$"""{"name":"{{new string('n', UserRules.NameMax + 1 + _random.Next(300))}}"}""";
            what = $"name over {UserRules.NameMax} characters";
        }

        if (what == "no name" && method == "PATCH")
        {
            body = $$"""{"password":"{{RandomAscii(_random.Next(8))}}"}""";
            what = "password under 8 characters";
        }

        return Users($"{method} with {what}", method, path, Json(body));
    }

    private static readonly string[] SyntaxTricks =
    [
        "{'name':'N','password':'P'}", "{name:\"N\",password:\"P\"}", "{\"name\":\"N\",\"password\":\"P\",}",
        "/* c */{\"name\":\"N\",\"password\":\"P\"}", "{\"name\":\"N\",\"password\":\"P\"} // c", "{\"name\":\"N\" \"password\":\"P\"}",
        "{\"name\":\"N\",,\"password\":\"P\"}", "{\"name\":\"N\\x\",\"password\":\"P\"}", "{\"name\":\"N\\u12\",\"password\":\"P\"}",
        "{\"name\":\"N\t\",\"password\":\"P\"}", "{\"name\":\"N\n\",\"password\":\"P\"}", "{\"name\":NaN,\"password\":\"P\"}",
        "{\"name\":\"N\",\"password\":\"P\"}}", "{\"name\":\"N\",\"password\":\"P\"]", "{\"name\"=\"N\",\"password\"=\"P\"}",
        "{\"name\":\"N\",\"password\":\"P\"", "{\"name\":undefined,\"password\":\"P\"}", "{\"name\":\"N\",\"password\":'P'}",
        "\0{\"name\":\"N\",\"password\":\"P\"}", "{\"name\":\"N\",\"password\":\"P\"}\0", "{\"name\":\"N\",\"password\":\"P\"}{\"name\":\"N\",\"password\":\"P\"}",
        "{\"name\":0x1F,\"password\":\"P\"}", "{\"name\":-\"N\",\"password\":\"P\"}", "{\"name\":\"N\",\"password\":\"P\",null}",
        "{\"name\":\"N\",\"password\":\"P\"}\uFEFF", "{\"name\":\"N\"\"password\":\"P\"}", "{\"name\":\"N\",\"password\":\"P\"}x",
        "{\"name\":\"N\",\"password\":\"P\",\"name\"}", "{\"name\":Infinity,\"password\":\"P\"}", "{\"name\":\"N\",\"password\":\"P\"}}}}",
    ];

    private static readonly string[] GarbageEnds = ["x", "}", "]", ",", "{}", "null", "\"", "<!--", "\\", ":", "\u0001"];

    private static readonly string[] GarbageStarts = ["x", ")]}',\n", "\"", ",", "]", "<", "while(1);", "\u0001", "{{"];

    private HostileRequest UsersBrokenJson()
    {
        var (method, path) = UserWriteTarget();
        var valid = $$"""{"name":"{{UserName()}}","password":"{{Password}}"}""";
        var (body, what) = _random.Next(6) switch
        {
            0 => Truncated(valid),
            1 => (valid + Pick(GarbageEnds), "trailing garbage"),
            2 => (Pick(SyntaxTricks).Replace("\"N\"", $"\"{UserName()}\"", StringComparison.Ordinal).Replace("\"P\"", $"\"{Password}\"", StringComparison.Ordinal), "JSON syntax error"),
            3 => DeeplyNested(_random.Next(65, 8000)),
            4 => (Pick(GarbageStarts) + valid, "garbage before the object"),
            _ => ("}" + RandomAscii(1 + _random.Next(200)), "noise"),
        };
        return Users($"{method} with {what}", method, path, Json(body));
    }

    private (string Body, string What) Truncated(string valid, int minimum = 0)
    {
        var cut = _random.Next(minimum, valid.Length);
        return (valid[..cut], $"JSON cut after {cut} of {valid.Length} characters");
    }

    private (string Body, string What) DeeplyNested(int depth) => _random.Next(3) switch
    {
        0 => (new string('[', depth) + new string(']', depth), $"arrays nested {depth} deep"),
        1 => ($"{{\"name\":{new string('[', depth)}{new string(']', depth)},\"password\":\"{Password}\"}}", $"name nested {depth} deep"),
        _ => (string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth), $"objects nested {depth} deep"),
    };

    private HostileRequest UsersOversize()
    {
        var (method, path) = UserWriteTarget();
        var size = UserBodyLimit + 1 + _random.Next(48 * 1024);
        var sized = _random.Next(2) == 0;
        var prefix = $"{{\"name\":\"{UserName()}";
        var suffix = $"\",\"password\":\"{Password}\"}}";
        return Users($"{method} with a {size}-byte body ({(sized ? "Content-Length" : "chunked")})", method, path,
            () => Content(new PatternContent(Encoding.UTF8.GetBytes(prefix), size, (byte)'a', Encoding.UTF8.GetBytes(suffix), sized), "application/json"));
    }

    private HostileRequest UsersHugeBody()
    {
        var (method, path) = UserWriteTarget();
        var size = 1_000_000 + _random.Next(4_000_000);
        var sized = _random.Next(2) == 0;
        var prefix = $"{{\"name\":\"{UserName()}";
        return Users($"{method} with a {size}-byte body ({(sized ? "Content-Length" : "chunked")})", method, path,
            () => Content(new PatternContent(Encoding.UTF8.GetBytes(prefix), size, (byte)'a', "\"}"u8.ToArray(), sized), "application/json"));
    }

    private static readonly (string Name, byte[] Bytes)[] InvalidUtf8 =
    [
        ("FF", [0xFF]), ("FE", [0xFE]), ("overlong slash C0 AF", [0xC0, 0xAF]), ("C1 BF", [0xC1, 0xBF]), ("overlong E0 80 AF", [0xE0, 0x80, 0xAF]),
        ("surrogate ED A0 80", [0xED, 0xA0, 0x80]), ("surrogate ED BF BF", [0xED, 0xBF, 0xBF]), ("above U+10FFFF F4 90 80 80", [0xF4, 0x90, 0x80, 0x80]),
        ("five-byte F8 88 80 80 80", [0xF8, 0x88, 0x80, 0x80, 0x80]), ("lone continuation 80", [0x80]), ("lone continuation BF", [0xBF]),
        ("truncated C3", [0xC3]), ("truncated E2 82", [0xE2, 0x82]), ("truncated F0 9F 92", [0xF0, 0x9F, 0x92]), ("C3 28", [0xC3, 0x28]),
        ("six-byte FC 80 80 80 80 80", [0xFC, 0x80, 0x80, 0x80, 0x80, 0x80]),
    ];

    private static readonly string[] LoneSurrogateEscapes = ["\\ud800", "\\udfff", "\\ud800\\u0041", "\\udc00\\ud800", "x\\udbff"];

    private HostileRequest UsersInvalidUtf8()
    {
        var (method, path) = UserWriteTarget();
        var (badName, bad) = Pick(InvalidUtf8);
        var name = UserName();
        var (body, what) = _random.Next(6) switch
        {
            0 => (Bytes($"{{\"name\":\"{name}", bad, $"x\",\"password\":\"{Password}\"}}"), $"invalid UTF-8 ({badName}) in name"),
            1 => (Bytes($"{{\"name\":\"{name}\",\"password\":\"{Password}", bad, "\"}"), $"invalid UTF-8 ({badName}) in password"),
            2 => (Bytes("{\"name\":\"", bad, $"\",\"password\":\"{Password}\"}}"), $"name is only invalid UTF-8 ({badName})"),
            3 => (Bytes("{\"na", bad, $"me\":\"{name}\",\"password\":\"{Password}\"}}"), $"invalid UTF-8 ({badName}) in a property name"),
            4 => (Bytes($"{{\"name\":\"{name}\",", bad, $"\"password\":\"{Password}\"}}"), $"invalid UTF-8 ({badName}) between members"),
            _ => LoneSurrogate(name),
        };
        return Users($"{method} with {what}", method, path, Json(body));
    }

    private (byte[] Body, string What) LoneSurrogate(string name)
    {
        var escape = Pick(LoneSurrogateEscapes);
        return _random.Next(2) == 0
            ? (Encoding.UTF8.GetBytes($"{{\"name\":\"{name}{escape}\",\"password\":\"{Password}\"}}"), $"unpaired surrogate {escape} in name")
            : (Encoding.UTF8.GetBytes($"{{\"name\":\"{name}\",\"password\":\"{Password}{escape}\"}}"), $"unpaired surrogate {escape} in password");
    }

    private static readonly string?[] WrongContentTypes =
    [
        null, "", "text/plain", "text/plain; charset=utf-8", "text/json", "application/xml", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz", "application/octet-stream", "application/jsonx", "application/json5", "application/json-seq",
        "application/x-json", "json", "application", "application/", "/json", "*/*", "application/*", "image/png",
        "application/vnd.api+xml", "application/jso", "applicationjson", ";", "%%%", "\"application/json\"", "application/json+xml",
    ];

    private HostileRequest UsersContentType()
    {
        var (method, path) = UserWriteTarget();
        var contentType = Pick(WrongContentTypes);
        var body = method == "POST" ? $$"""{"name":"{{UserName()}}","password":"{{Password}}"}""" : $$"""{"name":"{{UserName()}}"}""";
        var bytes = Encoding.UTF8.GetBytes(body);
        return Users($"{method} with Content-Type {(contentType is null ? "missing" : Show(contentType))}", method, path, () => Content(new ByteArrayContent(bytes), contentType));
    }

    private static readonly char[] ControlCharacters = ['\t', '\u0001', '\u0007', '\u0008', '\u001b', '\u001f', '\u007f'];

    private HostileRequest UsersIdempotencyKey()
    {
        var body = $$"""{"name":"{{UserName()}}","password":"{{Password}}"}""";
        var (key, what) = _random.Next(2) == 0
            ? (RandomToken(UsersApi.MaxIdempotencyKeyLength + 1 + _random.Next(4000)), "too long")
            : ($"key-{RandomToken(8)}{Pick(ControlCharacters)}{RandomToken(8)}", "with a control character");
        return Users($"POST with an Idempotency-Key {what} ({key.Length} characters)", "POST", "/v1/users", Json(body), [("Idempotency-Key", key)]);
    }

    private static readonly string[] BadIfMatch =
    [
        "W/\"1\"", "1", "abc", "\"abc\"", "\"\"", "\"-1\"", "\"+1\"", "\"1.0\"", "\"1e3\"", "\"0x1\"", "\" 1\"", "\"1 \"",
        "\"99999999999999999999999\"", "\"1\", \"2\"", "\"1", "1\"", "*, \"1\"", "**", "'1'", "\"1\"x", "x\"1\"", "W/*", "\"\"1\"\"",
    ];

    private HostileRequest UsersIfMatchSyntax()
    {
        var method = Pick(["PUT", "PATCH", "DELETE"]);
        var existing = _random.Next(10) < 6;
        var id = existing ? Pick(_existing) : Guid.CreateVersion7().ToString();
        var ifMatch = Pick(BadIfMatch);
        return Users($"{method} of {(existing ? "an existing" : "a missing")} user with If-Match {ifMatch}", method, $"/v1/users/{id}",
            method == "DELETE" ? null : Json($$"""{"name":"{{UserName()}}"}"""), [("If-Match", ifMatch)]);
    }

    private HostileRequest UsersStaleETag()
    {
        var method = Pick(["PUT", "PATCH", "DELETE"]);
        var existing = _random.Next(10) < 7;
        var id = existing ? Pick(_existing) : Guid.CreateVersion7().ToString();
        // The targets are at version 1: any other version is stale.
        var version = _random.Next(3) == 0 ? 0 : 2 + _random.NextInt64(1_000_000_000_000);
        var ifMatch = $"\"{version}\"";
        return Users($"{method} of {(existing ? "an existing" : "a missing")} user with stale If-Match {ifMatch}", method, $"/v1/users/{id}",
            method == "DELETE" ? null : Json($$"""{"name":"{{UserName()}}"}"""), [("If-Match", ifMatch)],
            exactStatus: existing ? 412 : 404);
    }

    private static readonly string[] GarbageIds =
    [
        "not-a-uuid", "0", "-1", "null", "undefined", "true", "%5B%5D", "%7B%7D", "'%20OR%20'1'='1", "1;DROP%20TABLE%20users", "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "..%2f..%2f", "$%7Bjndi:ldap:%2F%2Fx%7D", "%7B%7B7*7%7D%7D", "admin", "me", "*", "~", "CON", "aux", "%00", "%0d%0a", "%0D%0ASet-Cookie:%20x=y",
        "%C0%AF", "%FF%FE", "%E2%80%AE", "%25", "%2F", "%252F", "%F0%9F%92%A9", "%5C", "%u0041", "%", "%zz", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "%C0%AE%C0%AE", "%EF%BB%BF",
    ];

    private HostileRequest UsersBadId()
    {
        var method = Pick(["GET", "PUT", "PATCH", "DELETE"]);
        var uuid = Guid.CreateVersion7().ToString();
        var problemJson = true;
        int? exact = null;
        string id;
        string what;
        switch (_random.Next(7))
        {
            case 0:
                id = Pick(GarbageIds);
                what = $"id {id}";
                break;
            case 1:
                var text = RandomAscii(1 + _random.Next(60));
                // A segment of dots would be a dot segment: the path would lose it and name the collection.
                id = Uri.EscapeDataString(text.Trim('.').Length == 0 ? text + "x" : text);
                what = $"id {Show(id)}";
                break;
            case 2:
                id = RandomToken(37 + _random.Next(6000));
                what = $"id of {id.Length} characters";
                break;
            case 3:
                // Longer than Kestrel's request line limit (8 KiB): Kestrel answers 414 itself.
                id = RandomToken(9000 + _random.Next(20_000));
                what = $"id of {id.Length} characters, over the request line limit";
                problemJson = false;
                exact = 414;
                break;
            case 4:
                (id, what) = _random.Next(7) switch
                {
                    0 => (uuid.Replace("-", "", StringComparison.Ordinal), "UUID without dashes"),
                    1 => ($"%7B{uuid}%7D", "UUID in braces"),
                    2 => (uuid + "x", "UUID with a trailing character"),
                    3 => (uuid[..^1], "UUID one character short"),
                    4 => (string.Concat("g", uuid.AsSpan(1)), "UUID with a non-hex digit"),
                    5 => ($"%20{uuid}", "UUID after an encoded space"),
                    _ => ($"{uuid}%00", "UUID followed by an encoded NUL"),
                };
                break;
            case 5:
                id = uuid.ToUpperInvariant();
                what = "upper-case id of no user";
                exact = 404;
                break;
            default:
                id = $"{Pick(_existing)}{Pick(["%00", "%20", "%0A", "%2F", "x", "%C0%AF", "%E2%80%8B"])}";
                what = $"existing id with a suffix {id[36..]}";
                break;
        }

        if (id.Contains("%00", StringComparison.Ordinal))
        {
            // Kestrel itself refuses a NUL in the decoded path (a bare 400), before the application.
            problemJson = false;
        }

        return Users($"{method} with {what}", method, $"/v1/users/{id}",
            method is "PUT" or "PATCH" ? Json($$"""{"name":"{{UserName()}}"}""") : null, problemJson: problemJson, exactStatus: exact);
    }

    private static readonly string[] BadLimits =
        [
            "0", (UsersApi.MaxPageSize + 1).ToString(CultureInfo.InvariantCulture), "-1", "abc", "1.5", "99999999999", "1e2", "0x10", "five",
            "%00", "%EF%BC%95", "2147483648", "-2147483649", "1,2", "1&limit=2", "%2B%2B1",
        ];

    private static readonly string[] BadUserCursors =
        ["abc", "'", "00000000-0000-0000-0000-00000000000g", "-1", "0190", "%00", "%27%20OR%201=1--", "..%2F"];

    private HostileRequest UsersBadQuery()
    {
        var query = _random.Next(3) switch
        {
            0 => $"cursor={Pick(BadUserCursors)}",
            1 => $"cursor={RandomToken(37 + _random.Next(1000))}",
            _ => $"limit={Pick(BadLimits)}",
        };
        return Users($"GET /v1/users?{Show(query)}", "GET", $"/v1/users?{query}");
    }

    private HostileRequest UsersMethodOrPath()
    {
        var id = Pick(_existing);
        var (method, path) = Pick<(string, string)>(
        [
            ("DELETE", "/v1/users"), ("PUT", "/v1/users"), ("PATCH", "/v1/users"), ("POST", $"/v1/users/{id}"), ("TRACE", "/v1/users"),
            ("OPTIONS", "/v1/users"), ("FOO", "/v1/users"), ("PROPFIND", "/v1/users"), ("HEAD", "/v1/users"), ("GET", "/v1/userz"),
            ("GET", "/v2/users"), ("GET", $"/v1/users/{id}/extra"), ("POST", $"/v1/users/{id}/password"), ("GET", "/v1"),
            ("POST", "/"), ("TRACE", $"/v1/users/{id}"), ("MKCOL", $"/v1/users/{id}"), ("POST", "/v1/schemas/user.created.json"),
        ]);
        return Users($"{method} {path[..Math.Min(path.Length, 30)]}", method, path,
            method is "POST" or "PUT" or "PATCH" ? Json($$"""{"name":"{{UserName()}}","password":"{{Password}}"}""") : null);
    }

    private (string Method, string Path) UserWriteTarget() => _random.Next(10) < 6
        ? ("POST", "/v1/users")
        : (Pick(["PUT", "PATCH"]), $"/v1/users/{Pick(_existing)}");

    private string UserName() => $"{_marker} {_random.Next(1_000_000)}";
}
