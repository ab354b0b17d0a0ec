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

    /// <summary>Time allowed for one attempt of an ordinary call (request, response and body); the deadline may cut it shorter.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Time allowed for a scan-result fetch to start answering (headers); the body is bounded by <see cref="StallTimeout"/> and the deadline.</summary>
    public TimeSpan FetchTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Longest pause between two reads of a streamed result body: a body that sends nothing for this long has stalled.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

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

    // Messages name the setting, never an internal parameter name: they reach users as configuration errors.
    internal static void Validate(QualysClientOptions options)
    {
        if (options.Platform is null)
        {
            throw new QualysSettingException("platform", "platform: required.");
        }

        if (string.IsNullOrWhiteSpace(options.Username))
        {
            throw new QualysSettingException("username", "username: the Qualys API user name is empty.");
        }

        if (string.IsNullOrEmpty(options.Password))
        {
            throw new QualysSettingException("password", "password: the Qualys API password is empty.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.FetchTimeout <= TimeSpan.Zero || options.StallTimeout <= TimeSpan.Zero)
        {
            throw new QualysSettingException("timeouts", $"timeouts: must be positive, got request {options.RequestTimeout}, fetch {options.FetchTimeout}, stall {options.StallTimeout}.");
        }

        if (options.MaxTransientRetries < 0 || options.MaxConcurrencyRetries < 0 || options.MaxRateLimitRetries < 0)
        {
            throw new QualysSettingException("retries", "retries: retry counts must be zero or more.");
        }

        if (options.QpsPageSize is < 1 or > 1000)
        {
            throw new QualysSettingException("qps-page-size", $"qps-page-size: must be 1..1000, got {options.QpsPageSize}.");
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
