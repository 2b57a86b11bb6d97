using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace UserService.Users;

/// <summary>
/// Hashes passwords with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (format v3:
/// PBKDF2-HMAC-SHA512, 128-bit random salt, iteration count stored in the hash), under admission
/// control: one hash costs about 0.4 s of a core, so at most <see cref="PasswordOptions.MaxConcurrentHashes"/>
/// run at once, <see cref="PasswordOptions.MaxQueuedHashes"/> more may wait, and beyond that a
/// request is refused at once with <see cref="HashingBusyException"/> (503 with Retry-After)
/// instead of queueing behind the cores and starving every cheap request.
/// </summary>
public sealed class PasswordHashing : IDisposable
{
    private static readonly object Subject = new();
    private readonly PasswordHasher<object> _hasher;
    private readonly SemaphoreSlim _slots;
    private readonly int _admitted;
    private int _inside;

    /// <summary>Creates the hasher and its gate.</summary>
    public PasswordHashing(IOptions<PasswordOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _hasher = new(Options.Create(new PasswordHasherOptions
        {
            CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3,
            IterationCount = settings.Iterations,
        }));
        // Computed once at start, so that the first sign-in of an unknown id costs what every other does.
        DummyHash = _hasher.HashPassword(Subject, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)));
        var concurrent = settings.EffectiveMaxConcurrentHashes;
        _slots = new SemaphoreSlim(concurrent, concurrent);
        _admitted = concurrent + settings.MaxQueuedHashes;
    }

    /// <summary>A hash that matches no password, for sign-ins of unknown users: they cost what a real check costs.</summary>
    public string DummyHash { get; }

    /// <summary>Hashes a password.</summary>
    /// <exception cref="HashingBusyException">Too many hashes are running or waiting.</exception>
    public Task<string> HashAsync(string password, CancellationToken cancellationToken) =>
        AdmitAsync(() => _hasher.HashPassword(Subject, password), cancellationToken);

    /// <summary>Checks a password against a stored hash.</summary>
    /// <exception cref="HashingBusyException">Too many hashes are running or waiting.</exception>
    public Task<bool> VerifyAsync(string hash, string password, CancellationToken cancellationToken) =>
        AdmitAsync(() => _hasher.VerifyHashedPassword(Subject, hash, password) != PasswordVerificationResult.Failed, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _slots.Dispose();

    private async Task<T> AdmitAsync<T>(Func<T> hash, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _inside) > _admitted)
        {
            Interlocked.Decrement(ref _inside);
            throw new HashingBusyException();
        }

        try
        {
            await _slots.WaitAsync(cancellationToken);
            try
            {
                return hash();
            }
            finally
            {
                _slots.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inside);
        }
    }
}
