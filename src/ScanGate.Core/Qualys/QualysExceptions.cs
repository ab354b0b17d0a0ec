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

    public override string Message =>
        Attempts > 1 ? $"{base.Message} (gave up after {Attempts} attempts)" : base.Message;
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

    /// <summary>For 1965: when the rate-limit window lets the next call through.</summary>
    public DateTimeOffset? ResetsAt { get; init; }

    private static string Compose(string operation, int status, int? code, string? text, string? qps, string? hint)
    {
        var what = code is { } c ? $"Qualys error {c}" : qps is not null ? $"Qualys {qps}" : "Qualys error";
        var message = $"{operation}: {what} (HTTP {status})";
        if (!string.IsNullOrWhiteSpace(text))
        {
            message += $": {text.Trim()}";
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
}
