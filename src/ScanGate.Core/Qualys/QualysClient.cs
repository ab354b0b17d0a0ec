using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using ScanGate.Infrastructure;

namespace ScanGate.Qualys;

/// <summary>
/// Typed, async client for the Qualys VM API calls ScanGate makes (FO v2, QPS, gateway). One method per call.
/// Every call is retried according to what failed (see docs/client.md); all waiting goes through the
/// <see cref="TimeProvider"/>; secrets never reach logs or exception messages.
/// </summary>
public sealed partial class QualysClient : IQualysClient, IDisposable
{
    private static readonly ResiliencePropertyKey<RetryState> StateKey = new("scangate.qualys.retry");

    private readonly HttpClient _http;
    private readonly QualysClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly AuthenticationHeaderValue _basic;
    private readonly ProductInfoHeaderValue _userAgent = new(ToolInfo.Name, ToolInfo.Version);

    /// <param name="options">Platform, credentials, timeouts and retry budgets.</param>
    /// <param name="handler">The transport: <see cref="QualysHttpHandlerFactory.Create"/> in production, a fake in tests.</param>
    /// <param name="time">All waiting (back-off, rate limits, timeouts) goes through it.</param>
    /// <param name="logger">Retries at warning, calls at debug. Never receives secrets.</param>
    /// <param name="disposeHandler">Whether disposing the client disposes <paramref name="handler"/>.</param>
    public QualysClient(QualysClientOptions options, HttpMessageHandler handler, TimeProvider? time = null, ILogger? logger = null, bool disposeHandler = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        QualysClientOptions.Validate(options);
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _http = new HttpClient(handler, disposeHandler) { Timeout = Timeout.InfiniteTimeSpan };
        _basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")));
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Context, args.Outcome.Exception)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(DelayFor(args.Context, args.Outcome.Exception!)),
                OnRetry = args =>
                {
                    var state = args.Context.Properties.GetValue(StateKey, null!);
                    LogRetry(_logger, state.Operation, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, args.Outcome.Exception?.Message ?? "unknown");
                    return default;
                },
            })
            .Build();
    }

    /// <summary>Builds the production transport (proxy, CA bundle, gzip) from the options and environment.</summary>
    public static QualysClient Create(QualysClientOptions options, IEnvironment environment, TimeProvider? time = null, ILogger? logger = null) =>
        new(options, QualysHttpHandlerFactory.Create(options, environment), time, logger);

    public QualysPlatform Platform => _options.Platform;

    /// <summary>
    /// The caller's deadline: a 1965 rate-limit wait that would end after it fails at once instead of waiting.
    /// </summary>
    public DateTimeOffset? Deadline { get; set; }

    public void Dispose() => _http.Dispose();

    // ---- plumbing -------------------------------------------------------------------------------------------

    internal enum CallKind
    {
        /// <summary>Reads: every transient failure is retried.</summary>
        Idempotent,

        /// <summary>Cancel/pause/resume/run: retried only when Qualys provably did not act (throttled, never sent).</summary>
        NonIdempotent,

        /// <summary>Launch: ambiguous failures go through the lookup-by-title recovery.</summary>
        Launch,
    }

    private sealed class RetryState(string operation, CallKind kind)
    {
        public string Operation { get; } = operation;

        public CallKind Kind { get; } = kind;

        public int Attempts { get; set; }

        public int Transient { get; set; }

        public int Concurrency { get; set; }

        public int RateLimited { get; set; }
    }

    private sealed record Call(string Operation, HttpMethod Method, Uri Url, CallKind Kind)
    {
        public IReadOnlyList<KeyValuePair<string, string>>? Form { get; init; }

        public string? XmlBody { get; init; }

        public bool BasicAuth { get; init; } = true;

        public string Accept { get; init; } = "application/xml";
    }

    private readonly record struct RawResponse(int Status, HttpResponseHeaders Headers, string? MediaType, byte[] Body);

    private async Task<T> ExecuteAsync<T>(string operation, CallKind kind, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var state = new RetryState(operation, kind);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StateKey, state);
        try
        {
            return await _pipeline.ExecuteAsync(
                async ctx =>
                {
                    state.Attempts++;
                    return await attempt(ctx.CancellationToken);
                },
                context);
        }
        catch (QualysException ex)
        {
            ex.Attempts = state.Attempts;
            throw;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private bool ShouldRetry(ResilienceContext context, Exception? exception)
    {
        if (exception is not QualysException failure || context.CancellationToken.IsCancellationRequested)
        {
            return false;
        }

        var state = context.Properties.GetValue(StateKey, null!);
        switch (failure.Transience)
        {
            case Transience.RateLimited:
                var wait = failure.RetryAfter ?? _options.MaxRateLimitWait;
                if (wait > _options.MaxRateLimitWait || (Deadline is { } deadline && _time.GetUtcNow() + wait > deadline))
                {
                    return false;
                }

                return ++state.RateLimited <= _options.MaxRateLimitRetries;
            case Transience.Concurrency:
                return ++state.Concurrency <= _options.MaxConcurrencyRetries;
            case Transience.NotSent:
                return ++state.Transient <= _options.MaxTransientRetries;
            case Transience.Transient or Transience.Processing:
                // Launch retries these too, but only because each new launch attempt first looks the scan up by title.
                return state.Kind != CallKind.NonIdempotent && ++state.Transient <= _options.MaxTransientRetries;
            default:
                return false;
        }
    }

    private TimeSpan DelayFor(ResilienceContext context, Exception exception)
    {
        var state = context.Properties.GetValue(StateKey, null!);
        var failure = (QualysException)exception;
        switch (failure.Transience)
        {
            case Transience.RateLimited:
                return failure.RetryAfter ?? _options.MaxRateLimitWait;
            case Transience.Concurrency:
                var span = _options.ConcurrencyMaxDelay - _options.ConcurrencyMinDelay;
                return _options.ConcurrencyMinDelay + (span * _options.Jitter());
            default:
                var exponent = Math.Min(Math.Max(state.Transient - 1, 0), 16);
                var raw = _options.RetryBaseDelay * Math.Pow(2, exponent);
                var capped = raw > _options.RetryMaxDelay ? _options.RetryMaxDelay : raw;
                return capped * (0.5 + (0.5 * _options.Jitter()));
        }
    }

    private Uri Api(string relative) => new(_options.Platform.ApiUrl, relative);

    private static string Query(params (string Key, string? Value)[] parameters) =>
        string.Join('&', parameters.Where(p => p.Value is not null).Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value!)}"));

    private HttpRequestMessage BuildRequest(Call call)
    {
        var request = new HttpRequestMessage(call.Method, call.Url);
        if (call.BasicAuth)
        {
            request.Headers.Authorization = _basic;
        }

        request.Headers.Add("X-Requested-With", ToolInfo.Name);
        request.Headers.UserAgent.Add(_userAgent);
        request.Headers.Accept.ParseAdd(call.Accept);
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        request.Headers.AcceptEncoding.ParseAdd("deflate");
        if (call.Form is not null)
        {
            request.Content = new FormUrlEncodedContent(call.Form);
        }
        else if (call.XmlBody is not null)
        {
            request.Content = new StringContent(call.XmlBody, new UTF8Encoding(false), "application/xml");
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var parameters = DescribeParameters(call);
            LogCall(_logger, call.Operation, call.Method.Method, call.Url.AbsolutePath, parameters);
        }

        return request;
    }

    private static readonly HashSet<string> SecretKeys = new(StringComparer.OrdinalIgnoreCase) { "password", "username", "token" };

    private static string DescribeParameters(Call call)
    {
        var pairs = new List<string>();
        var query = call.Url.Query.TrimStart('?');
        if (query.Length > 0)
        {
            pairs.AddRange(query.Split('&').Where(p => !SecretKeys.Contains(Uri.UnescapeDataString(p.Split('=')[0]))));
        }

        if (call.Form is not null)
        {
            pairs.AddRange(call.Form.Where(p => !SecretKeys.Contains(p.Key)).Select(p => $"{p.Key}={p.Value}"));
        }

        return string.Join('&', pairs);
    }

    /// <summary>Sends once and reads the whole (small) body. Transport failures become <see cref="QualysConnectionException"/>.</summary>
    private async Task<RawResponse> SendOnceAsync(Call call, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = BuildRequest(call);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token);
            return new RawResponse((int)response.StatusCode, response.Headers, response.Content.Headers.ContentType?.MediaType, body);
        }
        catch (Exception ex) when (ex is not QualysException && !cancellationToken.IsCancellationRequested)
        {
            throw MapTransportFailure(call.Operation, call.Url, ex, timeout.IsCancellationRequested);
        }
    }

    private static QualysConnectionException MapTransportFailure(string operation, Uri url, Exception ex, bool timedOut)
    {
        var host = url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port}";
        if (timedOut || ex is TimeoutException)
        {
            return new QualysConnectionException(operation, host, QualysConnectionFailure.Timeout, "no complete answer within the timeout", ex) { Transience = Transience.Transient };
        }

        if (ex is HttpRequestException http)
        {
            if (http.StatusCode == HttpStatusCode.ProxyAuthenticationRequired)
            {
                return new QualysConnectionException(operation, host, QualysConnectionFailure.Proxy, "the proxy asks for credentials (407)", ex);
            }

            if (http.InnerException is AuthenticationException || http.HttpRequestError == HttpRequestError.SecureConnectionError)
            {
                // A TLS failure does not heal by retrying.
                return new QualysConnectionException(operation, host, QualysConnectionFailure.Tls, "the TLS handshake failed", ex);
            }

            return http.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => new QualysConnectionException(operation, host, QualysConnectionFailure.Dns, "the host name did not resolve", ex) { Transience = Transience.NotSent },
                HttpRequestError.ConnectionError => new QualysConnectionException(operation, host, QualysConnectionFailure.Refused, "the connection could not be opened", ex) { Transience = Transience.NotSent },
                HttpRequestError.ProxyTunnelError => new QualysConnectionException(operation, host, QualysConnectionFailure.Proxy, "the proxy refused to open a tunnel", ex) { Transience = Transience.NotSent },
                HttpRequestError.ResponseEnded => new QualysConnectionException(operation, host, QualysConnectionFailure.Reset, "the connection closed before the response was complete", ex) { Transience = Transience.Transient },
                _ => new QualysConnectionException(operation, host, QualysConnectionFailure.Other, "the request failed", ex) { Transience = Transience.Transient },
            };
        }

        if (ex is IOException or OperationCanceledException)
        {
            return new QualysConnectionException(operation, host, QualysConnectionFailure.Reset, "the connection broke while reading the response", ex) { Transience = Transience.Transient };
        }

        return new QualysConnectionException(operation, host, QualysConnectionFailure.Other, ex.GetType().Name, ex) { Transience = Transience.Transient };
    }

    /// <summary>Turns an FO/QPS response into a document, or throws the typed error it carries.</summary>
    private XDocument Interpret(Call call, RawResponse response)
    {
        if (response.Status == 407)
        {
            throw new QualysConnectionException(call.Operation, call.Url.Host, QualysConnectionFailure.Proxy, "the proxy asks for credentials (407)");
        }

        var isHtml = QualysXml.LooksLikeHtml(response.Body);
        XDocument? doc = null;
        if (!isHtml && QualysXml.LooksLikeXml(response.Body))
        {
            try
            {
                doc = QualysXml.Parse(response.Body, call.Operation);
            }
            catch (QualysResponseFormatException ex) when (response.Status >= 500)
            {
                throw new QualysApiException(call.Operation, response.Status, null, "malformed error body", inner: ex) { Transience = Transience.Transient };
            }
            catch (QualysResponseFormatException) when (response.Status is not (>= 200 and < 300))
            {
                doc = null;
            }
        }

        if (doc is not null && QualysXml.FindError(doc) is { } error)
        {
            throw ApiError(call, response, error.Code, error.Text, doc);
        }

        if (doc?.Root is { } qpsRoot && string.Equals(qpsRoot.Name.LocalName, "ServiceResponse", StringComparison.Ordinal))
        {
            var code = qpsRoot.Text("responseCode");
            if (!string.Equals(code, "SUCCESS", StringComparison.Ordinal))
            {
                var details = qpsRoot.Element("responseErrorDetails");
                var text = string.Join(" ", new[] { details.Text("errorMessage"), details.Text("errorResolution") }.Where(s => !string.IsNullOrEmpty(s)));
                throw new QualysApiException(call.Operation, response.Status, null, text.Length == 0 ? null : text, code ?? "(no responseCode)");
            }
        }

        if (response.Status is 200 or 201 && doc is not null)
        {
            return doc;
        }

        if (response.Status is 200 or 201)
        {
            throw new QualysResponseFormatException(call.Operation,
                isHtml ? "an HTML page came back instead of XML (a proxy, captive portal or maintenance page?)"
                    : response.Body.Length == 0 ? "the body is empty" : $"the body is not XML (content type {response.MediaType ?? "none"}): {Snippet(response.Body)}");
        }

        if (response.Status == 202)
        {
            throw ApiError(call, response, 1981, "Your request is being processed", doc);
        }

        var description = isHtml ? $"an HTML page{HtmlTitle(response.Body)} (maintenance or proxy error page)" : Snippet(response.Body);
        throw ApiError(call, response, null, description, doc);
    }

    private QualysApiException ApiError(Call call, RawResponse response, int? code, string? text, XDocument? doc)
    {
        var transience = (code, response.Status) switch
        {
            (1965, _) => Transience.RateLimited,
            (1960 or 1920, _) => Transience.Concurrency,
            (1981, _) => Transience.Processing,
            (1999, _) => Transience.Transient,
            // 999 on launch means "IP not approved" (field reports); elsewhere it is Qualys' transient internal error.
            (999, _) => call.Kind == CallKind.Launch ? Transience.None : Transience.Transient,
            (null, 409) => Transience.Concurrency,
            (null, >= 500) => Transience.Transient,
            _ => Transience.None,
        };

        TimeSpan? wait = null;
        DateTimeOffset? resets = null;
        var hint = QualysApiException.HintFor(response.Status, code, null);
        if (transience == Transience.RateLimited)
        {
            var seconds = Header(response.Headers, "X-RateLimit-ToWait-Sec") ?? (doc is null ? null : QualysXml.Item(doc, "SECONDS_TO_WAIT"));
            if (double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0)
            {
                wait = TimeSpan.FromSeconds(s);
                resets = _time.GetUtcNow() + wait.Value;
                hint = $"{hint} at {resets.Value.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)} (in {s.ToString(CultureInfo.InvariantCulture)} s)";
            }
        }

        return new QualysApiException(call.Operation, response.Status, code, text, hint: hint)
        {
            Transience = transience,
            RetryAfter = wait,
            ResetsAt = resets,
        };
    }

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault()?.Trim() : null;

    private static string Snippet(byte[] body)
    {
        if (body.Length == 0)
        {
            return "empty body";
        }

        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200));
        var clean = new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]).Trim();
        return body.Length > 200 ? clean + "…" : clean;
    }

    private static string HtmlTitle(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 4096));
        var start = text.IndexOf("<title>", StringComparison.OrdinalIgnoreCase);
        var end = start < 0 ? -1 : text.IndexOf("</title>", start, StringComparison.OrdinalIgnoreCase);
        if (start < 0 || end < 0)
        {
            return string.Empty;
        }

        var title = new string([.. text[(start + 7)..end].Select(c => char.IsControl(c) ? ' ' : c)]).Trim();
        return title.Length == 0 ? string.Empty : $" titled \"{(title.Length > 80 ? title[..80] : title)}\"";
    }

    /// <summary>One retried XML call.</summary>
    private Task<XDocument> XmlAsync(Call call, CancellationToken cancellationToken) =>
        ExecuteAsync(call.Operation, call.Kind, async ct => Interpret(call, await SendOnceAsync(call, ct)), cancellationToken);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Qualys {Operation}: {Method} {Path} {Parameters}")]
    private static partial void LogCall(ILogger logger, string operation, string method, string path, string parameters);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Qualys {Operation}: attempt {Attempt} in {DelaySeconds:0.#} s because {Reason}")]
    private static partial void LogRetry(ILogger logger, string operation, int attempt, double delaySeconds, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Qualys {Operation}: the launch response was lost; looking for scan titled '{Title}' before relaunching")]
    private static partial void LogLaunchLookup(ILogger logger, string operation, string title);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Qualys {Operation}: found scan {ScanRef} launched by the lost request; not launching again")]
    private static partial void LogLaunchRecovered(ILogger logger, string operation, string scanRef);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "Qualys {Operation}: PCI option profiles unavailable ({Reason})")]
    private static partial void LogPciUnavailable(ILogger logger, string operation, string reason);
}
