using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using AuditService.Ingestion;
using UserService.Users;

namespace UserAudit.Tests.Faults;

/// <summary>
/// Generates the hostile requests from a seed. Every request is invalid by construction: it breaks
/// a documented rule of the API, the HTTP/1.1 syntax, or both (raw requests are also wrong for the
/// application, in case the server's HTTP layer is lenient), so a 2xx is as wrong as a 5xx.
/// </summary>
internal sealed partial class HostileRequestGenerator
{
    public const int Total = 10_000;
    public const string UserServiceName = "user-service";
    public const string AuditServiceName = "audit-service";
    public const string EventType = "com.example.useraudit.hostile.v1";

    private const string Password = "correct horse battery staple";
    // The services' own limits, so the storm moves with them.
    private const int UserBodyLimit = JsonBody.MaxBytes;
    private const int AuditBodyLimit = IngestionOptions.DefaultMaxEventBytes;

    private readonly Random _random;
    private readonly string _marker;
    private readonly Uri _users;
    private readonly Uri _audit;
    private readonly string _apiKey;
    private readonly string _userToken;
    private readonly string _ingestKey;
    private readonly IReadOnlyList<string> _existing;
    private readonly KeyedCreate _keyedCreate;
    private int _eventNumber;

    /// <summary>The generator of one storm.</summary>
    /// <param name="seed">Seed of every random choice.</param>
    /// <param name="marker">Text in every name and event id the storm sends.</param>
    /// <param name="users">UserService's address.</param>
    /// <param name="audit">AuditService's address.</param>
    /// <param name="apiKey">AuditService's read key.</param>
    /// <param name="ingestKey">AuditService's ingest key, granted <see cref="EventSource"/> (sent on ingest, so bodies are judged on their merits).</param>
    /// <param name="userToken">An administrator's access token: requests to UserService carry it, so each is wrong only in the way it means to be.</param>
    /// <param name="existingUserIds">Users that exist, for id and If-Match tricks.</param>
    /// <param name="keyedCreate">A create already made with an Idempotency-Key, for replays that ask something else.</param>
    public HostileRequestGenerator(int seed, string marker, Uri users, Uri audit, string apiKey, string ingestKey, string userToken, IReadOnlyList<string> existingUserIds,
        KeyedCreate keyedCreate)
    {
        _userToken = userToken;
        _random = new Random(seed);
        _marker = marker;
        _users = users;
        _audit = audit;
        _apiKey = apiKey;
        _ingestKey = ingestKey;
        _existing = existingUserIds;
        _keyedCreate = keyedCreate;
    }

    /// <summary>A user created with an <c>Idempotency-Key</c>: its key, name and password.</summary>
    public sealed record KeyedCreate(string Key, string Name, string Password);

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
        ("users.broken-json", 500, UsersBrokenJson),
        ("users.oversize", 350, UsersOversize),
        ("users.huge-body", 25, UsersHugeBody),
        ("users.invalid-utf8", 400, UsersInvalidUtf8),
        ("users.content-type", 400, UsersContentType),
        ("users.idempotency-key", 300, UsersIdempotencyKey),
        ("users.idempotency-replay", 100, UsersIdempotencyReplay),
        ("users.if-match-syntax", 350, UsersIfMatchSyntax),
        ("users.stale-etag", 300, UsersStaleETag),
        ("users.bad-id", 400, UsersBadId),
        ("users.bad-query", 200, UsersBadQuery),
        ("users.method-or-path", 175, UsersMethodOrPath),
        ("users.raw-socket", 300, UsersRaw),
        ("audit.binary-attributes", 900, AuditBinaryAttributes),
        ("audit.binary-data", 300, AuditBinaryData),
        ("audit.structured", 700, AuditStructured),
        ("audit.batch", 500, AuditBatch),
        ("audit.huge-body", 25, AuditHugeBody),
        ("audit.invalid-utf8", 300, AuditInvalidUtf8),
        ("audit.query", 650, AuditQuery),
        ("audit.auth", 600, AuditAuth),
        ("audit.wrong-role", 100, AuditWrongRole),
        ("audit.forged-source", 150, AuditForgedSource),
        ("audit.batch-cap", 25, AuditBatchCap),
        ("audit.integrity-query", 125, AuditIntegrityQuery),
        ("audit.method-or-path", 175, AuditMethodOrPath),
        ("audit.raw-socket", 450, AuditRaw),
    ];

    private (string Text, string Name) PickInvalidUtf8()
    {
        var (name, bytes) = Pick(InvalidUtf8);
        return (Encoding.Latin1.GetString(bytes), name);
    }

    private HostileRequest Users(string description, string method, string path, Func<HttpContent>? content = null,
        (string Name, string Value)[]? headers = null, bool problemJson = true, int? exactStatus = null, bool withToken = true) =>
        new(0, UserServiceName, "", description,
            Request(_users, method, path, content, withToken ? [("Authorization", $"Bearer {_userToken}"), .. headers ?? []] : headers ?? []),
            null, problemJson, exactStatus);

    /// <summary>A request to AuditService with the key its endpoint wants (ingest key on ingest, read key elsewhere) unless told otherwise.</summary>
    private HostileRequest Audit(string description, string method, string path, Func<HttpContent>? content = null,
        (string Name, string Value)[]? headers = null, bool withKey = true, int? exactStatus = null, string? key = null) =>
        new(0, AuditServiceName, "", description,
            Request(_audit, method, path, content, withKey ? [("Authorization", $"Bearer {key ?? KeyFor(method, path)}"), .. headers ?? []] : headers ?? []),
            null, ProblemJson: true, exactStatus);

    /// <summary>UserService takes access tokens; AuditService its ingest key on ingest and its read key elsewhere.</summary>
    private string KeyFor(string method, string path) =>
        path.StartsWith("/v1/users", StringComparison.Ordinal) || path.StartsWith("/v1/sessions", StringComparison.Ordinal) ? _userToken
        : method == "POST" && path.StartsWith("/v1/cloudevents", StringComparison.Ordinal) ? _ingestKey : _apiKey;

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
