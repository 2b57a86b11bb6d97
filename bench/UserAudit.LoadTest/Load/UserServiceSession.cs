using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace UserAudit.LoadTest.Load;

/// <summary>
/// The run's access token to UserService: signed in at the start and again before it expires, so
/// a run of any length keeps working. Without credentials (a peer or a baseline that takes no
/// token), requests go without one.
/// </summary>
public sealed class UserServiceSession : IAsyncDisposable
{
    private readonly HttpClient _users;
    private readonly SignInCredentials? _credentials;
    private readonly CancellationTokenSource _stop = new();
    private volatile AuthenticationHeaderValue? _authorization;
    private Task _refreshing = Task.CompletedTask;

    private UserServiceSession(HttpClient users, SignInCredentials? credentials) => (_users, _credentials) = (users, credentials);

    /// <summary>Signs in (when there are credentials) and keeps the token fresh until disposed.</summary>
    /// <exception cref="HttpRequestException">The sign-in was refused.</exception>
    public static async Task<UserServiceSession> StartAsync(HttpClient users, SignInCredentials? credentials, CancellationToken cancellationToken)
    {
        var session = new UserServiceSession(users, credentials);
        if (credentials is not null)
        {
            var lifetime = await session.SignInAsync(cancellationToken);
            session._refreshing = session.RefreshAsync(lifetime, session._stop.Token);
        }

        return session;
    }

    /// <summary>Adds the current token to a request.</summary>
    public void Authorize(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.Authorization = _authorization;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _refreshing;
        _stop.Dispose();
    }

    private async Task<TimeSpan> SignInAsync(CancellationToken cancellationToken)
    {
        using var response = await _users.PostAsJsonAsync("/v1/sessions", new { userId = _credentials!.UserId, password = _credentials.Password }, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"UserService refused the load generator's sign-in as {_credentials.UserId}: {(int)response.StatusCode}.");
        }

        var session = await response.Content.ReadFromJsonAsync(LoadJsonContext.Default.JsonElement, cancellationToken);
        _authorization = new AuthenticationHeaderValue("Bearer", session.GetProperty("accessToken").GetString());
        return TimeSpan.FromSeconds(session.GetProperty("expiresIn").GetInt64());
    }

    private async Task RefreshAsync(TimeSpan lifetime, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                // Halfway through its life: a failed refresh has the other half to succeed.
                await Task.Delay(lifetime / 2, cancellationToken);
                try
                {
                    lifetime = await SignInAsync(cancellationToken);
                }
                catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    lifetime = TimeSpan.FromSeconds(20);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
