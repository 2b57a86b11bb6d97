using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace UserAudit.LoadTest.Load;

/// <summary>
/// One concurrent client: owns its users (so its changes to one user are sequential and their
/// events must arrive in that order), sends one request at a time and records every outcome.
/// </summary>
internal sealed class VirtualClient(
    int index, LoadOptions options, HttpClient users, UserServiceSession session, Ledger ledger, LoadCounters counters, string runToken)
{
    private const string Created = "org.useraudit.user.created.v1";
    private const string Updated = "org.useraudit.user.updated.v1";
    private const string PasswordChanged = "org.useraudit.user.password_changed.v1";
    private const string Deleted = "org.useraudit.user.deleted.v1";

    private readonly Random _random = new(options.Seed + index);
    private readonly List<string> _users = [];
    // The version each user has as far as this client knows; null after an uncertain outcome, until read again.
    private readonly Dictionary<string, long?> _versions = new(StringComparer.Ordinal);
    private long _names;

    /// <summary>Latencies (ms) of successful measured requests per operation.</summary>
    public Dictionary<string, List<double>> Latencies { get; } = new(StringComparer.Ordinal);

    /// <summary>Measured requests per operation: sent, and failed.</summary>
    public Dictionary<string, (long Sent, long Failed)> Counts { get; } = new(StringComparer.Ordinal);

    /// <summary>Failed measured requests by status code or exception.</summary>
    public Dictionary<string, long> Errors { get; } = new(StringComparer.Ordinal);

    /// <summary>The client's live users and their versions.</summary>
    public IEnumerable<KnownUser> Users => _users.Select(id => new KnownUser(id, _versions.GetValueOrDefault(id)));

    /// <summary>Takes over existing users, or creates the one user a rename or password workload needs.</summary>
    public async Task SetUpAsync(IReadOnlyList<KnownUser>? existing, CancellationToken cancellationToken)
    {
        if (existing is not null)
        {
            for (var i = index; i < existing.Count; i += options.Connections)
            {
                _users.Add(existing[i].Id);
                _versions[existing[i].Id] = existing[i].Version;
            }

            // Read unknown versions now, so that no measured request waits for it.
            foreach (var id in _users.ToList())
            {
                if (await KnowVersionAsync(id, cancellationToken))
                {
                    ledger.Track(id, _versions[id]!.Value);
                }
            }

            return;
        }

        if (options.Workload is Workload.Creates)
        {
            return;
        }

        // Retried until it works: the measured phase needs a user to change.
        while (_users.Count == 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!await CreateAsync(measured: false, Stopwatch.GetTimestamp(), cancellationToken))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
        }
    }

    /// <summary>Sends requests until the deadline, the shared request budget, or cancellation.</summary>
    public async Task RunAsync(long started, long deadline, CancellationToken cancellationToken)
    {
        // Open loop: this client's share of the rate, its start staggered among the clients.
        var interval = options.Rate is { } rate ? TimeSpan.FromSeconds(options.Connections / rate) : TimeSpan.Zero;
        var due = started + (long)(interval.Ticks * (index / (double)options.Connections) * Stopwatch.Frequency / TimeSpan.TicksPerSecond);
        while (!cancellationToken.IsCancellationRequested && Stopwatch.GetTimestamp() < deadline && counters.TakeRequest())
        {
            var sentAt = Stopwatch.GetTimestamp();
            if (interval > TimeSpan.Zero)
            {
                var wait = Stopwatch.GetElapsedTime(sentAt, due);
                if (wait > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(wait, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }

                // Latency counts from when the request was due, not from when it could be sent.
                sentAt = due;
                due += (long)(interval.TotalSeconds * Stopwatch.Frequency);
            }

            bool succeeded;
            try
            {
                succeeded = await NextAsync(sentAt, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            if (!succeeded)
            {
                // A service that is down refuses at once: do not spin.
                await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
            }
        }
    }

    private Task<bool> NextAsync(long sentAt, CancellationToken cancellationToken)
    {
        switch (options.Workload)
        {
            case Workload.Creates:
                return CreateAsync(measured: true, sentAt, cancellationToken);
            case Workload.Renames:
                return RenameAsync(Pick(), sentAt, cancellationToken);
            case Workload.Passwords:
                return ChangePasswordAsync(Pick(), sentAt, cancellationToken);
            case Workload.Soak:
                // Per 10,000: 50 creates, 25 password changes, 25 deletes (unless it is the client's last user), the rest renames.
                var draw = _random.Next(10_000);
                return _users.Count == 0 || draw < 50 ? CreateAsync(measured: true, sentAt, cancellationToken)
                    : draw < 75 ? ChangePasswordAsync(Pick(), sentAt, cancellationToken)
                    : draw < 100 && _users.Count > 1 ? DeleteAsync(Pick(), sentAt, cancellationToken)
                    : RenameAsync(Pick(), sentAt, cancellationToken);
            default:
                var roll = _random.Next(100);
                return _users.Count == 0 || roll < 10 ? CreateAsync(measured: true, sentAt, cancellationToken)
                    : roll < 15 && _users.Count > 1 ? DeleteAsync(Pick(), sentAt, cancellationToken)
                    : roll < 20 ? ChangePasswordAsync(Pick(), sentAt, cancellationToken)
                    : RenameAsync(Pick(), sentAt, cancellationToken);
        }
    }

    private string Pick() => _users[_random.Next(_users.Count)];

    private string NextName() => string.Create(CultureInfo.InvariantCulture, $"load {runToken} {index}-{++_names}");

    private static string NewPassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(15));

    private async Task<bool> CreateAsync(bool measured, long sentAt, CancellationToken cancellationToken)
    {
        // An uncertain create has no identity (its user id was never seen): it is not tracked.
        var (outcome, body) = await SendAsync("create", measured, sentAt, HttpMethod.Post, "/v1/users",
            new UserChange(NextName(), NewPassword()), null, HttpStatusCode.Created, cancellationToken);
        if (outcome != Outcome.Acknowledged)
        {
            return false;
        }

        var id = body!.Value.GetProperty("id").GetString()!;
        var version = body.Value.GetProperty("version").GetInt64();
        _users.Add(id);
        _versions[id] = version;
        ledger.Acknowledge(new ChangeId(id, version, Created), Stopwatch.GetTimestamp(), measured);
        return true;
    }

    private Task<bool> RenameAsync(string id, long sentAt, CancellationToken cancellationToken) =>
        UpdateAsync("rename", Updated, id, new UserChange(NextName(), null), sentAt, cancellationToken);

    private Task<bool> ChangePasswordAsync(string id, long sentAt, CancellationToken cancellationToken) =>
        UpdateAsync("password", PasswordChanged, id, new UserChange(null, NewPassword()), sentAt, cancellationToken);

    private async Task<bool> UpdateAsync(string operation, string type, string id, UserChange change, long sentAt, CancellationToken cancellationToken)
    {
        if (!await KnowVersionAsync(id, cancellationToken))
        {
            return false;
        }

        var expected = new ChangeId(id, _versions[id]!.Value + 1, type);
        var (outcome, body) = await SendAsync(operation, true, sentAt, HttpMethod.Patch, "/v1/users/" + id, change, expected, HttpStatusCode.OK, cancellationToken);
        switch (outcome)
        {
            case Outcome.Acknowledged:
                var version = body!.Value.GetProperty("version").GetInt64();
                _versions[id] = version;
                ledger.Acknowledge(new ChangeId(id, version, type), Stopwatch.GetTimestamp(), measured: true);
                return true;
            case Outcome.Uncertain:
                _versions[id] = null;
                return false;
            default:
                return false;
        }
    }

    private async Task<bool> DeleteAsync(string id, long sentAt, CancellationToken cancellationToken)
    {
        if (!await KnowVersionAsync(id, cancellationToken))
        {
            return false;
        }

        // A deletion is a change of its own: the last version plus one.
        var expected = new ChangeId(id, _versions[id]!.Value + 1, Deleted);
        var (outcome, _) = await SendAsync("delete", true, sentAt, HttpMethod.Delete, "/v1/users/" + id, null, expected, HttpStatusCode.NoContent, cancellationToken);
        switch (outcome)
        {
            case Outcome.Acknowledged:
                Forget(id);
                ledger.Acknowledge(expected, Stopwatch.GetTimestamp(), measured: true);
                return true;
            case Outcome.Uncertain:
                _versions[id] = null;
                return false;
            default:
                return false;
        }
    }

    /// <summary>Makes sure the user's version is known, reading the user after an uncertain outcome; false when it cannot be (or the user is gone).</summary>
    private async Task<bool> KnowVersionAsync(string id, CancellationToken cancellationToken)
    {
        if (_versions.GetValueOrDefault(id) is not null)
        {
            return true;
        }

        try
        {
            using var read = new HttpRequestMessage(HttpMethod.Get, "/v1/users/" + id);
            session.Authorize(read);
            using var response = await users.SendAsync(read, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                Forget(id); // an uncertain deletion was applied
                return false;
            }

            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            var user = await response.Content.ReadFromJsonAsync(LoadJsonContext.Default.JsonElement, cancellationToken);
            _versions[id] = user.GetProperty("version").GetInt64();
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private void Forget(string id)
    {
        _users.Remove(id);
        _versions.Remove(id);
    }

    private enum Outcome
    {
        Acknowledged,
        Refused,
        Uncertain,
    }

    private async Task<(Outcome Outcome, JsonElement? Body)> SendAsync(
        string operation, bool measured, long sentAt, HttpMethod method, string path, UserChange? change, ChangeId? identity,
        HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        session.Authorize(request);
        if (change is not null)
        {
            request.Content = JsonContent.Create(change, LoadJsonContext.Default.UserChange);
        }

        string? error = null;
        var outcome = Outcome.Refused;
        JsonElement? body = null;
        try
        {
            using var response = await users.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            if (response.StatusCode == expected)
            {
                outcome = Outcome.Acknowledged;
                if (expected != HttpStatusCode.NoContent)
                {
                    body = await response.Content.ReadFromJsonAsync(LoadJsonContext.Default.JsonElement, cancellationToken);
                }
            }
            else
            {
                error = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                // A 5xx does not say the change was not applied: on PostgreSQL a commit whose answer was
                // lost is a 503 "may have been stored". The user's version is read again before its next change.
                if ((int)response.StatusCode >= 500)
                {
                    outcome = Outcome.Uncertain;
                }
            }
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            // Never reached the service: certainly not applied.
            error = "connection refused";
        }
        catch (HttpRequestException ex)
        {
            error = ex.HttpRequestError.ToString();
            outcome = Outcome.Uncertain;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = "timeout";
            outcome = Outcome.Uncertain;
        }

        if (outcome == Outcome.Uncertain && identity is { } uncertain)
        {
            ledger.MarkUncertain(uncertain);
        }
        else if (outcome == Outcome.Refused)
        {
            ledger.MarkRefused();
        }

        counters.Completed(error is not null);
        if (measured)
        {
            var (sent, failed) = Counts.GetValueOrDefault(operation);
            Counts[operation] = (sent + 1, failed + (error is null ? 0 : 1));
            if (error is null)
            {
                if (!Latencies.TryGetValue(operation, out var list))
                {
                    Latencies[operation] = list = [];
                }

                list.Add(Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds);
            }
            else
            {
                Errors[error] = Errors.GetValueOrDefault(error) + 1;
            }
        }

        return (outcome, body);
    }
}

/// <summary>Shared counters: the request budget and the progress figures.</summary>
internal sealed class LoadCounters(long? budget)
{
    private long _taken;
    private long _completed;
    private long _errors;

    public long CompletedCount => Interlocked.Read(ref _completed);

    public long ErrorCount => Interlocked.Read(ref _errors);

    public bool TakeRequest() => budget is not { } b || Interlocked.Increment(ref _taken) <= b;

    public void Completed(bool failed)
    {
        Interlocked.Increment(ref _completed);
        if (failed)
        {
            Interlocked.Increment(ref _errors);
        }
    }
}

/// <summary>Body of a create or an update.</summary>
/// <param name="Name">New name, or null to keep it.</param>
/// <param name="Password">New password, or null to keep it.</param>
internal sealed record UserChange(
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Name,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Password);
