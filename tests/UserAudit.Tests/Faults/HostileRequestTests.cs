using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.Testing;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.Faults;

/// <summary>
/// Issue 7's hostile-input part of the fault suite: ten thousand generated requests against both
/// services, each one malformed or hostile by construction, so that the only right answer is a
/// 4xx. None may get a 5xx, none may crash a service, none may store anything, and afterwards
/// both services still serve.
/// </summary>
public sealed class HostileRequestTests(UserAuditApp app)
{
    /// <summary>The generator's seed; <c>USERAUDIT_HOSTILE_SEED</c> replays another one.</summary>
    private const int DefaultSeed = 20_260_707;

    private const int InFlight = 24;

    private static readonly TimeSpan RawAnswerTimeout = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ten_thousand_malformed_or_hostile_requests_get_only_4xx_answers_and_both_services_keep_working()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("USERAUDIT_HOSTILE_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : DefaultSeed;
        var marker = "hostile-" + Guid.NewGuid().ToString("N")[..12];
        var usersUri = app.App.GetEndpoint("user-service", "http");
        var auditUri = app.App.GetEndpoint("audit-service", "http");

        // Targets for If-Match and id tricks: users that exist, and must still be unchanged at the end.
        var targets = new List<(string Id, string Name)>();
        for (var i = 0; i < 3; i++)
        {
            var name = $"Hostile target {i}";
            targets.Add((await app.CreateUserAsync(name, "target-password", Ct), name));
        }

        var generator = new HostileRequestGenerator(seed, marker, usersUri, auditUri, app.AuditApiKey, [.. targets.Select(t => t.Id)]);
        var requests = generator.Generate();
        var replay = $"seed {seed} (set USERAUDIT_HOSTILE_SEED={seed} to replay)";

        var answers = new Answer[requests.Count];
        var sent = 0;
        var logLinesBefore = app.Logs.Count;
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = InFlight,
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = InFlight, CancellationToken = Ct }, async (request, ct) =>
        {
            Interlocked.Increment(ref sent);
            answers[request.Number] = request.Raw is not null
                ? await SendRawAsync(request.Service == HostileRequestGenerator.UserServiceName ? usersUri : auditUri, request.Raw, ct)
                : await SendAsync(client, request, ct);
        });
        stopwatch.Stop();

        Report(requests, answers, stopwatch.Elapsed, replay);
        Assert.Equal(HostileRequestGenerator.Total, sent);
        Assert.Equal(HostileRequestGenerator.Total, requests.Count);

        var wrong = requests.Where(r => !answers[r.Number].IsRightFor(r)).ToList();
        ListInOutput("not a 4xx", wrong, answers);
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {requests.Count} hostile requests did not get the 4xx they deserve; {replay}. Examples:\n{Examples(wrong, answers)}");

        var notProblems = requests.Where(r => r.ProblemJson && answers[r.Number].Status is >= 400 and < 500 && answers[r.Number].MediaType != "application/problem+json").ToList();
        ListInOutput("not a ProblemDetails", notProblems, answers);
        Assert.True(notProblems.Count == 0, $"{notProblems.Count} application 4xx answers are not application/problem+json; {replay}. Examples:\n{Examples(notProblems, answers)}");

        // No crash, and nothing the requests provoked was logged as an unhandled exception (an
        // exception can hide behind a connection the client already closed).
        using var plain = new HttpClient();
        foreach (var uri in (Uri[])[usersUri, auditUri])
        {
            using var health = await plain.GetAsync(new Uri(uri, "/health"), Ct);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        var unhandled = app.Logs.Skip(logLinesBefore).Where(l => l.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase)).Take(5).ToList();
        Assert.True(unhandled.Count == 0, $"The services logged unhandled exceptions during the storm; {replay}:\n{string.Join('\n', unhandled)}");

        // Both still work end to end.
        var userId = await app.CreateUserAsync("After the storm", "after-the-storm", Ct);
        Assert.Single(await app.WaitForAuditEventsAsync(userId, 1, Ct));

        // Nothing hostile was stored: no event from the storm's source, no user named with its marker,
        // and the targets are as they were.
        var stored = await app.Audit.GetFromJsonAsync<JsonElement>($"/v1/audit-events?source={Uri.EscapeDataString(generator.EventSource)}&limit=10", Ct);
        Assert.Empty(stored.GetProperty("items").EnumerateArray());
        var counts = await app.Audit.GetFromJsonAsync<JsonElement>($"/v1/audit-events/counts?type={Uri.EscapeDataString(HostileRequestGenerator.EventType)}", Ct);
        Assert.Empty(counts.EnumerateArray());
        Assert.DoesNotContain(await AllUserNamesAsync(), n => n.Contains(marker, StringComparison.Ordinal));
        foreach (var (id, name) in targets)
        {
            var user = await app.Users.GetFromJsonAsync<JsonElement>($"/v1/users/{id}", Ct);
            Assert.Equal(name, user.GetProperty("name").GetString());
            Assert.Equal(1, user.GetProperty("version").GetInt64());
        }
    }

    // Regressions the storm found (issue 7): each answered 500.

    [Theory]
    [InlineData("user-service", "POST /v1/users", "application/json", "zz\r\n{}\r\n0\r\n\r\n")]
    [InlineData("user-service", "PATCH /v1/users/0190a5c4-2f1e-7c3a-9d2b-4e5f6a7b8c9d", "application/json", "FFFFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n")]
    [InlineData("audit-service", "POST /v1/cloudevents", "application/cloudevents+json", "2\r\n{}0\r\n\r\n")]
    [InlineData("audit-service", "POST /v1/cloudevents", "application/cloudevents-batch+json", "-1\r\n[]\r\n0\r\n\r\n")]
    public async Task Body_with_malformed_chunked_framing_is_a_400_problem(string service, string request, string contentType, string chunkedBody)
    {
        var bytes = Encoding.Latin1.GetBytes(
            $"{request} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {app.AuditApiKey}\r\nContent-Type: {contentType}\r\nTransfer-Encoding: chunked\r\n\r\n{chunkedBody}");

        var answer = await SendRawAsync(app.App.GetEndpoint(service, "http"), new RawRequest(() => bytes), Ct);

        Assert.Equal(400, answer.Status);
        Assert.Equal("application/problem+json", answer.MediaType);
    }

    public static TheoryData<string, string, byte[]> UndecodableEvents => new()
    {
        { "structured event whose id is not UTF-8", "application/cloudevents+json", [.. """{"specversion":"1.0","id":"a"""u8, 0xFF, .. "\",\"source\":\"urn:x\",\"type\":\"t\"}"u8] },
        { "structured event whose id escapes an unpaired surrogate", "application/cloudevents+json", """{"specversion":"1.0","id":"\ud800","source":"urn:x","type":"t"}"""u8.ToArray() },
        { "batch whose second event's source is not UTF-8", "application/cloudevents-batch+json", [.. """[{"specversion":"1.0","id":"1","source":"urn:x","type":"t"},{"specversion":"1.0","id":"2","source":"urn:"""u8, 0xC0, 0xAF, .. "\",\"type\":\"t\"}]"u8] },
        { "structured event whose JSON data is not UTF-8", "application/cloudevents+json", [.. """{"specversion":"1.0","id":"1","source":"urn:x","type":"t","datacontenttype":"application/json","data":{"s":"a"""u8, 0xED, 0xA0, 0x80, .. "\"}}"u8] },
    };

    [Theory]
    [MemberData(nameof(UndecodableEvents))]
    public async Task Event_that_is_not_valid_unicode_is_a_400_problem_naming_what_is_wrong(string what, string contentType, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await app.Audit.PostAsync("/v1/cloudevents", content, Ct);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains("UTF-8", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binary_event_whose_json_data_is_not_utf8_is_a_400_problem()
    {
        using var content = new ByteArrayContent([.. "{\"s\":\"a"u8, 0xF8, 0x88, 0x80, 0x80, 0x80, .. "\"}"u8]);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        foreach (var (name, value) in ((string, string)[])[("ce-specversion", "1.0"), ("ce-id", Guid.NewGuid().ToString()), ("ce-source", "urn:x"), ("ce-type", "t")])
        {
            content.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await app.Audit.PostAsync("/v1/cloudevents", content, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("InvalidData", problem.GetProperty("error").GetString());
        Assert.Equal("body", problem.GetProperty("member").GetString());
    }

    private async Task<List<string>> AllUserNamesAsync()
    {
        var names = new List<string>();
        string? cursor = null;
        do
        {
            var page = await app.Users.GetFromJsonAsync<JsonElement>($"/v1/users?limit=100{(cursor is null ? "" : "&cursor=" + cursor)}", Ct);
            names.AddRange(page.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("name").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return names;
    }

    private static async Task<Answer> SendAsync(HttpClient client, HostileRequest request, CancellationToken cancellationToken)
    {
        try
        {
            using var message = request.Http!();
            using var response = await client.SendAsync(message, cancellationToken);
            // Read the body so that the connection goes back to the pool.
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, Closed: false, Error: null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new Answer(null, null, Closed: false, Error: $"{e.GetType().Name}: {e.Message} {e.InnerException?.Message}");
        }
    }

    /// <summary>
    /// Writes the bytes on a connection of its own and reads the status line. Reading starts
    /// before writing: a server may answer (413, 431) and close before it has read everything.
    /// A request that claims more body than it sends ends with a half-close, so that the server
    /// sees the end of the body instead of waiting for it.
    /// </summary>
    private static async Task<Answer> SendRawAsync(Uri endpoint, RawRequest request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RawAnswerTimeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var reading = ReadStatusLineAsync(stream, timeout.Token);
            try
            {
                await stream.WriteAsync(request.Build(), timeout.Token);
                if (request.HalfClose)
                {
                    socket.Shutdown(SocketShutdown.Send);
                }
            }
            catch (IOException)
            {
                // The server stopped reading: what it answered, if anything, is what counts.
            }

            return await reading;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Answer(null, null, Closed: false, Error: $"no answer within {RawAnswerTimeout.TotalSeconds:0} s");
        }
        catch (SocketException e)
        {
            return new Answer(null, null, Closed: false, Error: $"socket error {e.SocketErrorCode}");
        }
    }

    /// <summary>Reads the status line and headers of the answer, if any comes.</summary>
    private static async Task<Answer> ReadStatusLineAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        var length = 0;
        try
        {
            while (length < buffer.Length)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // A reset: the server closed the connection, possibly after answering.
        }

        if (length == 0)
        {
            return new Answer(null, null, Closed: true, Error: null);
        }

        // "HTTP/1.1 400 Bad Request", then the headers.
        var lines = Encoding.Latin1.GetString(buffer, 0, length).Split("\r\n");
        var mediaType = lines.Skip(1).Where(l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))
            .Select(l => l["Content-Type:".Length..].Split(';')[0].Trim()).FirstOrDefault();
        return lines[0].StartsWith("HTTP/1.", StringComparison.Ordinal) && lines[0].Length >= 12
            && int.TryParse(lines[0].AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status)
            ? new Answer(status, mediaType, Closed: false, Error: null)
            : new Answer(null, null, Closed: false, Error: $"not an HTTP/1 answer: {HostileRequestGenerator.Show(lines[0])}");
    }

    private static string Examples(List<HostileRequest> requests, Answer[] answers) =>
        string.Join('\n', requests
            .GroupBy(r => r.Category)
            .SelectMany(g => g.Take(3))
            .Take(15)
            .Select(r => $"  #{r.Number} [{r.Category}] {r.Description} -> {answers[r.Number]}"));

    /// <summary>Every offender (up to 500) in the test output; the failure message shows a few per category.</summary>
    private static void ListInOutput(string what, List<HostileRequest> requests, Answer[] answers)
    {
        foreach (var r in requests.Take(500))
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{what}: #{r.Number} [{r.Category}] {r.Description} -> {answers[r.Number]} {answers[r.Number].MediaType}");
        }
    }

    private static void Report(IReadOnlyList<HostileRequest> requests, Answer[] answers, TimeSpan elapsed, string replay)
    {
        var output = TestContext.Current.TestOutputHelper;
        if (output is null)
        {
            return;
        }

        output.WriteLine($"{requests.Count} hostile requests in {elapsed.TotalSeconds:0.0} s, {InFlight} in flight; {replay}.");
        foreach (var category in requests.GroupBy(r => r.Category).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var statuses = category.GroupBy(r => answers[r.Number].ToString()).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Key} x{g.Count()}");
            output.WriteLine($"  {category.Key,-28} {category.Count(),5}  {string.Join(", ", statuses)}");
        }
    }

    /// <summary>What came back: a status, a closed connection (raw requests only), or an error.</summary>
    private readonly record struct Answer(int? Status, string? MediaType, bool Closed, string? Error)
    {
        public bool IsRightFor(HostileRequest request) =>
            Status is { } status
                ? status is >= 400 and < 500 && (request.ExactStatus is null || request.ExactStatus == status)
                : Closed && request.Raw is not null;

        public override string ToString() =>
            Status is { } status ? status.ToString(CultureInfo.InvariantCulture) : Closed ? "closed" : $"error ({Error})";
    }
}

/// <summary>One generated request: an HTTP message built on demand, or raw bytes for a socket.</summary>
/// <param name="Number">Position in the generated sequence.</param>
/// <param name="Service">Which service it targets.</param>
/// <param name="Category">What kind of wrongness it exercises.</param>
/// <param name="Description">What exactly is wrong with it.</param>
/// <param name="Http">Builds the request message (HttpClient can send it).</param>
/// <param name="Raw">Builds the bytes (HttpClient refuses to send them).</param>
/// <param name="ProblemJson">Whether the answer is the application's, so a ProblemDetails.</param>
/// <param name="ExactStatus">The only right status, when one 4xx is prescribed.</param>
internal sealed record HostileRequest(
    int Number, string Service, string Category, string Description,
    Func<HttpRequestMessage>? Http, RawRequest? Raw, bool ProblemJson, int? ExactStatus = null);

/// <summary>Bytes for a socket of their own.</summary>
/// <param name="Build">Builds the bytes (on demand: some are megabytes).</param>
/// <param name="HalfClose">Whether the client shuts down its sending side after the bytes.</param>
internal sealed record RawRequest(Func<byte[]> Build, bool HalfClose = false);

/// <summary>
/// Generates the hostile requests from a seed. Every request is invalid by construction: it breaks
/// a documented rule of the API, the HTTP/1.1 syntax, or both (raw requests are also wrong for the
/// application, in case the server's HTTP layer is lenient), so a 2xx is as wrong as a 5xx.
/// </summary>
internal sealed class HostileRequestGenerator
{
    public const int Total = 10_000;
    public const string UserServiceName = "user-service";
    public const string AuditServiceName = "audit-service";
    public const string EventType = "com.example.useraudit.hostile.v1";

    private const string Password = "correct horse battery staple";
    private const int UserBodyLimit = 16 * 1024;
    private const int AuditBodyLimit = 1024 * 1024;

    private readonly Random _random;
    private readonly string _marker;
    private readonly Uri _users;
    private readonly Uri _audit;
    private readonly string _apiKey;
    private readonly IReadOnlyList<string> _existing;
    private int _eventNumber;

    public HostileRequestGenerator(int seed, string marker, Uri users, Uri audit, string apiKey, IReadOnlyList<string> existingUserIds)
    {
        _random = new Random(seed);
        _marker = marker;
        _users = users;
        _audit = audit;
        _apiKey = apiKey;
        _existing = existingUserIds;
    }

    /// <summary>The source of every event the storm sends: none may be stored.</summary>
    public string EventSource => $"urn:useraudit:{_marker}";

    /// <summary>The requests, shuffled so that the slow ones (huge bodies, long headers) spread over the run.</summary>
    public IReadOnlyList<HostileRequest> Generate()
    {
        var all = new List<HostileRequest>(Total);
        foreach (var (category, count, make) in Categories())
        {
            for (var i = 0; i < count; i++)
            {
                all.Add(make() with { Category = category });
            }
        }

        _random.Shuffle(CollectionsMarshal.AsSpan(all));
        return [.. all.Select((r, i) => r with { Number = i })];
    }

    private (string Category, int Count, Func<HostileRequest> Make)[] Categories() =>
    [
        ("users.wrong-types", 500, UsersWrongTypes),
        ("users.unknown-fields", 300, UsersUnknownFields),
        ("users.rule-violations", 400, UsersRuleViolations),
        ("users.broken-json", 600, UsersBrokenJson),
        ("users.oversize", 350, UsersOversize),
        ("users.huge-body", 25, UsersHugeBody),
        ("users.invalid-utf8", 400, UsersInvalidUtf8),
        ("users.content-type", 400, UsersContentType),
        ("users.idempotency-key", 300, UsersIdempotencyKey),
        ("users.if-match-syntax", 350, UsersIfMatchSyntax),
        ("users.stale-etag", 300, UsersStaleETag),
        ("users.bad-id", 400, UsersBadId),
        ("users.bad-query", 200, UsersBadQuery),
        ("users.method-or-path", 175, UsersMethodOrPath),
        ("users.raw-socket", 300, UsersRaw),
        ("audit.binary-attributes", 1100, AuditBinaryAttributes),
        ("audit.binary-data", 300, AuditBinaryData),
        ("audit.structured", 700, AuditStructured),
        ("audit.batch", 500, AuditBatch),
        ("audit.huge-body", 25, AuditHugeBody),
        ("audit.invalid-utf8", 300, AuditInvalidUtf8),
        ("audit.query", 750, AuditQuery),
        ("audit.auth", 700, AuditAuth),
        ("audit.method-or-path", 175, AuditMethodOrPath),
        ("audit.raw-socket", 450, AuditRaw),
    ];

    // ---------------------------------------------------------------- UserService

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
            2 => ($$"""{"name":"{{name}}{{new string('n', 101 + _random.Next(300))}}","password":"{{Password}}"}""", "name over 100 characters"),
            3 => ($$"""{"name":"{{name}}\u{{Pick([0, 1, 7, 8, 0x1b, 0x1f, 0x7f, 0x85, 0x9f]):x4}}x","password":"{{Password}}"}""", "control character in name"),
            4 => ($$"""{"name":"{{name}}","password":"{{RandomAscii(_random.Next(8))}}"}""", "password under 8 characters"),
            5 => ($$"""{"name":"{{name}}","password":"{{RandomAscii(129 + _random.Next(500))}}"}""", "password over 128 characters"),
            6 => ($$"""{"password":"{{Password}}"}""", "no name"),
            7 => ($$"""{"name":null,"password":null}""", "null name and password"),
            8 => ("{}", "empty object"),
            _ => ($$"""{"name":"{{name}}"}""", "no password"),
        };
        if (what == "no password" && method != "POST")
        {
            // PUT and PATCH may leave the password out: make the name break the rule instead.
            body = $$"""{"name":"{{new string('n', 101 + _random.Next(300))}}"}""";
            what = "name over 100 characters";
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
            ? (RandomToken(201 + _random.Next(4000)), "too long")
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
        ["0", "101", "-1", "abc", "1.5", "99999999999", "1e2", "0x10", "five", "%00", "%EF%BC%95", "2147483648", "-2147483649", "1,2", "1&limit=2", "%2B%2B1"];

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

    // ---------------------------------------------------------------- AuditService

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

    private static readonly string[] BadAuditLimits = ["0", "501", "-1", "abc", "1.5", "99999999999", "", "%201", "%2B5", "1e2", "0x10", "%EF%BC%95", "1,2", "1&limit=2"];

    private static readonly string[] BadAuditCursors = ["0", "-1", "abc", "1.5", "99999999999999999999", "", "%2B1", "1e3", "%00"];

    private static readonly string[] BadQueryTimes =
    [
        "yesterday", "2026-01-01", "2026-01-01T00:00:00", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T25:00:00Z",
        "2026-01-01T00:00:00%2B25:00", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00%2B01:00", "1700000000",
        "2026-01-01T00:00:00.12345678Z", "2026-01-01T00:00:00ZZ", "", "%00", "%D9%A2%D9%A0%D9%A2%D9%A6-01-01T00:00:00Z", "2026-01-01T00:00:00%20%2B02:00",
    ];

    private HostileRequest AuditQuery()
    {
        var endpoint = Pick(["/v1/audit-events", "/v1/audit-events/export", "/v1/audit-events/counts"]);
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
                query = $"by={Pick(["day", "", "types", "minute", "hour%00", "source"])}";
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
            ("POST", "/v1/cloudevent"), ("DELETE", "/v1/audit-events/by-id"),
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

    // ---------------------------------------------------------------- Raw sockets

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
            1 => (RawPost("/v1/cloudevents", "application/json", "{}", ["ce-specversion: 1.0", $"ce-id: {id}", $"ce-type: {EventType}", $"ce-source: urn:{bad}"]), $"invalid UTF-8 ({badName}) in ce-source"),
            2 => (RawPost("/v1/cloudevents", "application/json", "{}", [.. ce, $"ce-id: {id}", $"ce-id: {id}-again"]), "ce-id twice"),
            3 => (RawPost("/v1/cloudevents", "application/json", "{}", ["ce-specversion: 1.0", "ce-specversion: 1.0", $"ce-id: {id}", $"ce-source: {EventSource}", $"ce-type: {EventType}"]), "ce-specversion twice"),
            4 => (RawPost("/v1/cloudevents", "application/json", "{}", [.. ce, $"ce-id: {id}"], key: $"{_apiKey[..8]}{bad}"), $"invalid UTF-8 ({badName}) in the API key"),
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
                return (RawBytes($"POST {path} HTTP/1.1", [plain, $"Content-Length: {claimed}", "Connection: close"], invalidBody, halfClose: true), $"Content-Length {claimed} for {length} bytes, then the client stops sending");
            case 3:
                var huge = Pick(["99999999999999999999", "-1", "abc", "1 2", "0x10", "1e3", "+5"]);
                return (RawBytes($"POST {path} HTTP/1.1", [plain, $"Content-Length: {huge}"], invalidBody), $"Content-Length {huge}");
            case 4:
                var big = Pick(["10000000000", "9223372036854775807", "2000000", "31457281"]);
                return (RawBytes($"POST {path} HTTP/1.1", [plain, $"Content-Length: {big}", "Expect: 100-continue"], ""), $"Content-Length {big} with Expect: 100-continue and no body");
            case 5:
                return (RawBytes($"POST {path} HTTP/1.1", [plain, $"Content-Length: {length}", "Transfer-Encoding: chunked"], $"{length:x}\r\n{invalidBody}\r\n0\r\n\r\n"), "Content-Length and Transfer-Encoding: chunked");
            case 6:
                var coding = Pick(["gzip", "chunked, gzip", "identity", "xchunked", "chunked;q=1", "chunked, chunked"]);
                return (RawBytes($"POST {path} HTTP/1.1", [plain, $"Transfer-Encoding: {coding}"], $"{length:x}\r\n{invalidBody}\r\n0\r\n\r\n"), $"Transfer-Encoding: {coding}");
            case 7:
                var chunk = Pick([$"zz\r\n{invalidBody}\r\n0\r\n\r\n", $"FFFFFFFFFFFFFFFFFF\r\n{invalidBody}\r\n0\r\n\r\n", $"{length + 5:x}\r\n{invalidBody}\r\n0\r\n\r\n",
                    $"{length:x}\r\n{invalidBody}0\r\n\r\n", $"{length:x};{new string('e', 5000)}\r\n{invalidBody}\r\n0\r\n\r\n", $"-1\r\n{invalidBody}\r\n0\r\n\r\n", $"{length:x}\n{invalidBody}\n0\n\n"]);
                return (RawBytes($"POST {path} HTTP/1.1", [plain, "Transfer-Encoding: chunked"], chunk), $"malformed chunked body {Show(chunk[..Math.Min(chunk.Length, 12)])}");
            default:
                return (RawBytes($"POST {path} HTTP/1.1", [plain, "Transfer-Encoding: chunked"], $"{length:x}\r\n{invalidBody}\r\n", halfClose: true), "chunked body without its last chunk, then the client stops sending");
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
        var lines = new List<string> { $"Content-Type: {contentType}", $"Authorization: Bearer {key ?? _apiKey}" };
        lines.AddRange(headers ?? []);
        return RawBytes($"{method} {path} HTTP/1.1", [.. lines, $"Content-Length: {Encoding.Latin1.GetByteCount(body)}"], body);
    }

    private RawRequest RawGet(string target, string[] headers) =>
        RawBytes($"GET {target} HTTP/1.1", [$"Authorization: Bearer {_apiKey}", .. headers], "");

    /// <summary>
    /// A request as bytes: text characters are written as their Latin-1 byte, so that a string can
    /// carry any byte (invalid UTF-8 included).
    /// </summary>
    private RawRequest RawBytes(string requestLine, string[] headers, string body, bool halfClose = false)
    {
        var hasAuthorization = headers.Any(h => h.StartsWith("Authorization:", StringComparison.OrdinalIgnoreCase));
        var text = $"{requestLine}\r\nHost: localhost\r\n{(hasAuthorization ? "" : $"Authorization: Bearer {_apiKey}\r\n")}{string.Join("", headers.Select(h => h + "\r\n"))}\r\n{body}";
        return new RawRequest(() => Encoding.Latin1.GetBytes(text), halfClose);
    }

    private (string Text, string Name) PickInvalidUtf8()
    {
        var (name, bytes) = Pick(InvalidUtf8);
        return (Encoding.Latin1.GetString(bytes), name);
    }

    // ---------------------------------------------------------------- Building blocks

    private HostileRequest Users(string description, string method, string path, Func<HttpContent>? content = null,
        (string Name, string Value)[]? headers = null, bool problemJson = true, int? exactStatus = null) =>
        new(0, UserServiceName, "", description, Request(_users, method, path, content, headers ?? []), null, problemJson, exactStatus);

    private HostileRequest Audit(string description, string method, string path, Func<HttpContent>? content = null,
        (string Name, string Value)[]? headers = null, bool withKey = true, int? exactStatus = null) =>
        new(0, AuditServiceName, "", description,
            Request(_audit, method, path, content, withKey ? [("Authorization", $"Bearer {_apiKey}"), .. headers ?? []] : headers ?? []),
            null, ProblemJson: true, exactStatus);

    private static Func<HttpRequestMessage> Request(Uri baseUri, string method, string path, Func<HttpContent>? content, (string Name, string Value)[] headers)
    {
        // Built now, so that a path System.Uri refuses fails the generator, not the storm.
        var uri = new Uri(baseUri, path);
        var httpMethod = new HttpMethod(method);
        return () =>
        {
            var request = new HttpRequestMessage(httpMethod, uri) { Content = content?.Invoke() };
            foreach (var (name, value) in headers)
            {
                if (!request.Headers.TryAddWithoutValidation(name, value))
                {
                    throw new InvalidOperationException($"HttpClient does not take header {name}.");
                }
            }

            return request;
        };
    }

    private static Func<HttpContent> Json(string body) => Json(Encoding.UTF8.GetBytes(body));

    private static Func<HttpContent> Json(byte[] body) => () => Content(new ByteArrayContent(body), "application/json");

    private static HttpContent Content(HttpContent content, string? contentType)
    {
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return content;
    }

    private static byte[] Bytes(string before, byte[] middle, string after) =>
        [.. Encoding.UTF8.GetBytes(before), .. middle, .. Encoding.UTF8.GetBytes(after)];

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private string RandomAscii(int length) =>
        string.Create(length, _random, (span, random) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                // Printable ASCII without the JSON string's own delimiters.
                char c;
                do
                {
                    c = (char)random.Next(0x20, 0x7F);
                }
                while (c is '"' or '\\');
                span[i] = c;
            }
        });

    private string RandomToken(int length) =>
        string.Create(length, _random, (span, random) =>
        {
            const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[random.Next(alphabet.Length)];
            }
        });

    private string RandomBytesText(int length) =>
        string.Create(length, _random, (span, random) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)random.Next(0, 256);
            }
        });

    /// <summary>A value for a description: control characters escaped, at most 40 characters.</summary>
    public static string Show(string value)
    {
        var escaped = new StringBuilder();
        foreach (var c in value.Length > 40 ? value[..40] : value)
        {
            escaped.Append(c is < ' ' or (>= '\u007f' and <= '\u00ff') ? $"\\x{(int)c:x2}" : c.ToString());
        }

        return $"'{escaped}'{(value.Length > 40 ? $"...({value.Length} characters)" : "")}";
    }

    /// <summary>
    /// A body of an exact length made of a prefix, a fill byte and a suffix, written in chunks so
    /// that megabytes are never held; with or without a Content-Length.
    /// </summary>
    private sealed class PatternContent(byte[] prefix, long totalLength, byte fill, byte[] suffix, bool sized) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(prefix, cancellationToken);
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, fill);
            for (var left = totalLength - prefix.Length - suffix.Length; left > 0; left -= chunk.Length)
            {
                await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(left, chunk.Length)), cancellationToken);
            }

            await stream.WriteAsync(suffix, cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = totalLength;
            return sized;
        }
    }
}
