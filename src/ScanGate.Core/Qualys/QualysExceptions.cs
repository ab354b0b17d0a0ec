namespace ScanGate.Qualys;

/// <summary>Base of every failure the Qualys client raises (besides argument errors and caller cancellation).</summary>
public abstract class QualysException : ScanGateException
{
    protected QualysException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    public override Outcome Outcome => Outcome.ApiError;

    /// <summary>The call that failed, e.g. <c>scan list</c>.</summary>
    public string Operation { get; init; } = string.Empty;

    /// <summary>How many attempts were made before giving up (1 when it failed at once).</summary>
    public int Attempts { get; internal set; } = 1;

    /// <summary>How the retry policy classified this failure.</summary>
    internal Transience Transience { get; init; }

    /// <summary>For 1965: how long Qualys asked us to wait.</summary>
    internal TimeSpan? RetryAfter { get; init; }

    /// <summary>True when a retry was due but its wait would have ended after the run's deadline.</summary>
    public bool StoppedByDeadline { get; internal set; }

    public override string Message => (Attempts, StoppedByDeadline) switch
    {
        ( > 1, true) => $"{base.Message} (gave up after {Attempts} attempts: the next one would start after the run's deadline)",
        (_, true) => $"{base.Message} (not retried: the wait would end after the run's deadline)",
        ( > 1, false) => $"{base.Message} (gave up after {Attempts} attempts)",
        _ => base.Message,
    };
}

/// <summary>
/// Qualys answered with an error: a <c>SIMPLE_RETURN</c>/<c>GENERIC_RETURN</c> code, a QPS <c>responseCode</c>, or an
/// unexpected HTTP status. <see cref="Hint"/> says in plain words what usually causes it.
/// </summary>
public sealed class QualysApiException : QualysException
{
    public QualysApiException(string operation, int httpStatus, int? code, string? text, string? qpsResponseCode = null, string? hint = null, Exception? inner = null)
        : base(Compose(operation, httpStatus, code, text, qpsResponseCode, hint ?? HintFor(httpStatus, code, qpsResponseCode)), inner)
    {
        Operation = operation;
        HttpStatus = httpStatus;
        Code = code;
        Text = text;
        QpsResponseCode = qpsResponseCode;
        Hint = hint ?? HintFor(httpStatus, code, qpsResponseCode);
    }

    public int HttpStatus { get; }

    /// <summary>The Qualys <c>CODE</c> (e.g. 2000, 1965), when the body carried one.</summary>
    public int? Code { get; }

    /// <summary>The Qualys <c>TEXT</c> (untrusted server text).</summary>
    public string? Text { get; }

    /// <summary>For QPS calls: <c>responseCode</c> such as <c>INVALID_CREDENTIALS</c>.</summary>
    public string? QpsResponseCode { get; }

    public string? Hint { get; }

    /// <summary>The user's license or role does not allow this call, or the feature is off (HTTP 403, code 2012).</summary>
    public bool IsNotPermitted => HttpStatus == 403 || Code == 2012;

    /// <summary>For 1965: when the rate-limit window lets the next call through.</summary>
    public DateTimeOffset? ResetsAt { get; init; }

    /// <summary>
    /// For 1905 "parameter NAME has invalid value: …": the Qualys parameter it names (<c>option_title</c>,
    /// <c>iscanner_name</c>, <c>ip_network_id</c> …), so a caller can name its own flag instead.
    /// </summary>
    public string? InvalidParameter =>
        Code == 1905 && Text is not null && InvalidParameterPattern.Match(Text) is { Success: true } match ? match.Groups["name"].Value : null;

    private static readonly System.Text.RegularExpressions.Regex InvalidParameterPattern = new(
        "parameter\\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)\\s+has\\s+invalid\\s+value",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant | System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.ExplicitCapture,
        TimeSpan.FromSeconds(1));

    private static string Compose(string operation, int status, int? code, string? text, string? qps, string? hint)
    {
        var what = code is { } c ? $"Qualys error {c}" : qps is not null ? $"Qualys {qps}" : "Qualys error";
        // Status 0: no HTTP answer stands behind this error (e.g. a lost launch that could not be settled).
        var message = status == 0 ? $"{operation}: {what}" : $"{operation}: {what} (HTTP {status})";
        if (!string.IsNullOrWhiteSpace(text))
        {
            // Qualys texts often end with a period; the hint that follows brings its own.
            message += $": {text.Trim().TrimEnd('.')}";
        }

        return string.IsNullOrEmpty(hint) ? message : $"{message}. {hint}";
    }

    internal static string? HintFor(int status, int? code, string? qps) => (code, status, qps) switch
    {
        (2000, _, _) or (null, 401, _) or (_, _, "INVALID_CREDENTIALS") =>
            "Check the user name and password, and that the platform is the one your account lives on: Qualys answers 'bad login' for a wrong platform too",
        (1965, _, _) => "The API rate limit for this subscription is used up; the window resets after X-RateLimit-ToWait-Sec",
        (1960, _, _) or (1920, _, _) => "Too many calls to this API are running at once for this subscription (concurrency limit)",
        (999, _, _) => "Qualys internal error; on launch it usually means the target IP is not approved (not in the VM subscription's IPs)",
        (1999, _, _) => "Qualys is in scheduled maintenance; try again later",
        (2001, _, _) => "The Qualys account or subscription has expired",
        (2002, _, _) => "The Qualys user account is inactive",
        (2003, _, _) => "Complete the account registration in the Qualys UI before using the API",
        (2011, _, _) => "SecureID is required for this account, so API access is blocked",
        (2012, _, _) or (null, 403, _) => "The user's license or role does not allow this API (or the feature is not enabled for the subscription)",
        (1981, _, _) => "Qualys is still processing an identical request",
        (1905, _, _) or (1903, _, _) or (1904, _, _) or (1922, _, _) or (1901, _, _) => "A parameter was rejected; check the value named in the text",
        _ => null,
    };
}

/// <summary>Qualys could not be reached or the connection broke: names the host and the likely cause.</summary>
public sealed class QualysConnectionException : QualysException
{
    public QualysConnectionException(string operation, string host, QualysConnectionFailure failure, string detail, Exception? inner = null)
        : base($"{operation}: {Verb(failure)} {host}: {detail}. {Cause(failure)}", inner)
    {
        Operation = operation;
        Host = host;
        Failure = failure;
    }

    public string Host { get; }

    public QualysConnectionFailure Failure { get; }

    // A connection that broke mid-response was a conversation, not a failure to start one.
    private static string Verb(QualysConnectionFailure failure) => failure switch
    {
        QualysConnectionFailure.Reset => "lost the connection to",
        QualysConnectionFailure.Timeout => "timed out talking to",
        _ => "cannot talk to",
    };

    private static string Cause(QualysConnectionFailure failure) => failure switch
    {
        QualysConnectionFailure.Dns => "Likely cause: the host name does not resolve (wrong platform/URL, or DNS needs a proxy)",
        QualysConnectionFailure.Refused => "Likely cause: nothing listens there, a firewall blocks it, or a proxy is required",
        QualysConnectionFailure.Tls => "Likely cause: TLS verification failed (a TLS-inspecting proxy needs its CA in ca-bundle); verification is never turned off",
        QualysConnectionFailure.Proxy => "Likely cause: the proxy refused the connection or its credentials",
        QualysConnectionFailure.Timeout => "Likely cause: the service or network is slow or a proxy is dropping the connection",
        QualysConnectionFailure.Reset => "Likely cause: the connection was reset mid-response (network, proxy or Qualys side)",
        _ => "Check the platform URL, proxy and network",
    };
}

public enum QualysConnectionFailure
{
    Other,
    Dns,
    Refused,
    Tls,
    Proxy,
    Timeout,
    Reset,
}

/// <summary>The response could not be understood (not XML/JSON as expected, missing fields, truncated).</summary>
public sealed class QualysResponseFormatException : QualysException
{
    public QualysResponseFormatException(string operation, string detail, Exception? inner = null)
        : base($"{operation}: unexpected response from Qualys: {detail}", inner)
    {
        Operation = operation;
    }
}

/// <summary>
/// A setting or value the client cannot use (platform code, URL, CA bundle, proxy variable, scan reference, launch
/// parameters). It is an <see cref="ArgumentException"/> so input validation can catch it as one, but its message is
/// written for users: it names the setting and the value and never an internal parameter name.
/// </summary>
public sealed class QualysSettingException : ArgumentException
{
    public QualysSettingException(string setting, string message, Exception? inner = null)
        : base(message, inner)
    {
        Setting = setting;
    }

    public QualysSettingException()
        : this("setting", "An unusable Qualys setting.")
    {
    }

    public QualysSettingException(string message)
        : this("setting", message)
    {
    }

    public QualysSettingException(string message, Exception innerException)
        : this("setting", message, innerException)
    {
    }

    /// <summary>The setting at fault as the message names it: <c>platform</c>, <c>api-url</c>, <c>ca-bundle</c>, <c>HTTPS_PROXY</c> …</summary>
    public string Setting { get; }
}

/// <summary>How a failure may be retried.</summary>
internal enum Transience
{
    /// <summary>Fail at once.</summary>
    None,

    /// <summary>409/1965: wait X-RateLimit-ToWait-Sec.</summary>
    RateLimited,

    /// <summary>409/1960 or 1920: back off with jitter.</summary>
    Concurrency,

    /// <summary>The request never reached Qualys (DNS, refused, TLS, proxy tunnel): safe for any call.</summary>
    NotSent,

    /// <summary>5xx, 999, 1999, maintenance, reset, timeout: the request may or may not have been processed.</summary>
    Transient,

    /// <summary>202/1981: an identical request is in flight.</summary>
    Processing,

    /// <summary>The body of a streamed result broke off (reset, stall) after the headers: restarted at most once.</summary>
    BodyBroken,
}
