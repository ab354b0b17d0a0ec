namespace ScanGate.Qualys;

/// <summary>Everything the client needs to reach Qualys. Secrets here are never logged or put in messages.</summary>
public sealed class QualysClientOptions
{
    /// <summary>Where to connect (see <see cref="QualysPlatform.Resolve"/>).</summary>
    public required QualysPlatform Platform { get; init; }

    public required string Username { get; init; }

    public required string Password { get; init; }

    /// <summary>Explicit proxy; when null, HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment apply.</summary>
    public QualysProxyOptions? Proxy { get; init; }

    /// <summary>PEM file with extra trusted CA certificates (corporate TLS inspection, private cloud). Verification stays on.</summary>
    public string? CaBundlePath { get; init; }

    /// <summary>Time allowed for one ordinary call (request, response and body).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Time allowed for a scan-result fetch to start answering (headers); the body streams without this limit.</summary>
    public TimeSpan FetchTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Retries for transient failures (5xx, 999, 1999, maintenance pages, resets, timeouts, 202/1981).</summary>
    public int MaxTransientRetries { get; init; } = 5;

    /// <summary>Retries for 409/1960 (too many concurrent calls).</summary>
    public int MaxConcurrencyRetries { get; init; } = 10;

    /// <summary>Retries for 409/1965 (rate limit): each waits X-RateLimit-ToWait-Sec.</summary>
    public int MaxRateLimitRetries { get; init; } = 3;

    /// <summary>Longest single wait accepted for a 1965 rate limit; longer waits fail at once with the reset time.</summary>
    public TimeSpan MaxRateLimitWait { get; init; } = TimeSpan.FromHours(1);

    /// <summary>First back-off delay for transient failures; doubles per retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Cap of the exponential back-off.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Range of the jittered back-off after 409/1960 (qualys-api.md §2.2 suggests 10–60 s).</summary>
    public TimeSpan ConcurrencyMinDelay { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ConcurrencyMaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How far before the launch the lost-launch lookup searches (absorbs clock skew with Qualys).</summary>
    public TimeSpan LaunchLookupSkew { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Page size for QPS searches (connectors).</summary>
    public int QpsPageSize { get; init; } = 100;

    /// <summary>Source of jitter in [0, 1); tests may pin it.</summary>
    public Func<double> Jitter { get; init; } = Random.Shared.NextDouble;

    internal static void Validate(QualysClientOptions options)
    {
        if (options.Platform is null)
        {
            throw new ArgumentException("platform: required.", nameof(options));
        }
        if (string.IsNullOrWhiteSpace(options.Username))
        {
            throw new ArgumentException("username: the Qualys API user name is empty.", nameof(options));
        }

        if (string.IsNullOrEmpty(options.Password))
        {
            throw new ArgumentException("password: the Qualys API password is empty.", nameof(options));
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"request-timeout: must be positive, got {options.RequestTimeout}.", nameof(options));
        }

        if (options.FetchTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"fetch-timeout: must be positive, got {options.FetchTimeout}.", nameof(options));
        }

        if (options.MaxTransientRetries < 0 || options.MaxConcurrencyRetries < 0 || options.MaxRateLimitRetries < 0)
        {
            throw new ArgumentException("retries: retry counts must be zero or more.", nameof(options));
        }

        if (options.QpsPageSize is < 1 or > 1000)
        {
            throw new ArgumentException($"qps-page-size: must be 1..1000, got {options.QpsPageSize}.", nameof(options));
        }
    }
}

/// <summary>An explicit HTTP proxy. <see cref="Url"/> is like <c>http://proxy.corp:3128</c>.</summary>
public sealed class QualysProxyOptions
{
    public required Uri Url { get; init; }

    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>Hosts that bypass the proxy (NO_PROXY syntax: <c>.corp.com</c>, <c>host</c>, <c>*</c>). Loopback always bypasses.</summary>
    public IReadOnlyList<string> Bypass { get; init; } = [];

    /// <summary>Host and port only: never the credentials.</summary>
    public override string ToString() => $"{Url.Host}:{Url.Port}";
}
