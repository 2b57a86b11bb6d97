using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.Testing;
using UserAudit.Tests.EndToEnd;
using UserAudit.Tests.Infrastructure;
using Xunit;

namespace UserAudit.Tests.Faults;

/// <summary>
/// Issue 7's hostile-input part of the fault suite: ten thousand generated requests against both
/// services, each one malformed or hostile by construction, so that the only right answer is a
/// 4xx. None may get a 5xx, none may crash a service, none may store anything, and afterwards
/// both services still serve.
/// </summary>
[Collection(typeof(LoadSensitive))]
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

        // A create made with an Idempotency-Key, for the storm to replay with other requests (409 each).
        var keyed = new HostileRequestGenerator.KeyedCreate(Guid.NewGuid().ToString(), "Hostile keyed target", "keyed-target-password");
        using (var create = new HttpRequestMessage(HttpMethod.Post, "/v1/users") { Content = JsonContent.Create(new { name = keyed.Name, password = keyed.Password }) })
        {
            create.Headers.Add("Idempotency-Key", keyed.Key);
            using var created = await app.Users.SendAsync(create, Ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var generator = new HostileRequestGenerator(seed, marker, usersUri, auditUri, app.AuditApiKey, app.IngestKey, app.AdminToken, [.. targets.Select(t => t.Id)], keyed);
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
            $"{request} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {(service == "user-service" ? app.AdminToken : app.IngestKey)}\r\n"
            + $"Content-Type: {contentType}\r\nTransfer-Encoding: chunked\r\n\r\n{chunkedBody}");

        var answer = await SendRawAsync(app.App.GetEndpoint(service, "http"), new RawRequest(() => bytes), Ct);

        Assert.Equal(400, answer.Status);
        Assert.Equal("application/problem+json", answer.MediaType);
    }

    public static TheoryData<string, string, byte[]> UndecodableEvents => new()
    {
        { "structured event whose id is not UTF-8", "application/cloudevents+json", [.. """{"specversion":"1.0","id":"a"""u8, 0xFF, .. "\",\"source\":\"urn:x\",\"type\":\"t\"}"u8] },
        { "structured event whose id escapes an unpaired surrogate", "application/cloudevents+json", """{"specversion":"1.0","id":"\ud800","source":"urn:x","type":"t"}"""u8.ToArray() },
        {
            "batch whose second event's source is not UTF-8", "application/cloudevents-batch+json",
            [.. """[{"specversion":"1.0","id":"1","source":"urn:x","type":"t"},{"specversion":"1.0","id":"2","source":"urn:"""u8, 0xC0, 0xAF, .. "\",\"type\":\"t\"}]"u8]
        },
        {
            "structured event whose JSON data is not UTF-8", "application/cloudevents+json",
            [.. """{"specversion":"1.0","id":"1","source":"urn:x","type":"t","datacontenttype":"application/json","data":{"s":"a"""u8, 0xED, 0xA0, 0x80, .. "\"}}"u8]
        },
    };

    [Theory]
    [MemberData(nameof(UndecodableEvents))]
    public async Task Event_that_is_not_valid_unicode_is_a_400_problem_naming_what_is_wrong(string what, string contentType, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await app.Ingest.PostAsync("/v1/cloudevents", content, Ct);

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

        using var response = await app.Ingest.PostAsync("/v1/cloudevents", content, Ct);

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
