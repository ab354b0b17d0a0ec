using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Text;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace ScanGate.Qualys;

/// <summary>How a call may be retried.</summary>
internal enum CallKind
{
    /// <summary>Reads: every transient failure is retried.</summary>
    Idempotent,

    /// <summary>Cancel/pause/resume/run: retried only when Qualys provably did not act (throttled, never sent).</summary>
    NonIdempotent,

    /// <summary>Launch: ambiguous failures go through the lookup-by-title recovery of <see cref="ScansClient"/>.</summary>
    Launch,
}

/// <summary>One request to Qualys, as the per-area clients describe it.</summary>
internal sealed record QualysRequest(string Operation, HttpMethod Method, Uri Url, CallKind Kind)
{
    public IReadOnlyList<KeyValuePair<string, string>>? Form { get; init; }

    public string? XmlBody { get; init; }

    public bool BasicAuth { get; init; } = true;

    public string Accept { get; init; } = "application/xml";
}

/// <summary>A small response read whole.</summary>
internal readonly record struct QualysResponse(int Status, HttpResponseHeaders Headers, string? MediaType, byte[] Body);

/// <summary>
/// The one connection to a Qualys platform under every per-area client: it builds requests (auth, headers, form or
/// XML body), runs each call through the resilience pipeline on the <see cref="TimeProvider"/>, bounds every attempt
/// and every wait (per-attempt timeouts, the run's <see cref="Deadline"/>, stalled bodies), interprets
/// SIMPLE_RETURN / GENERIC_RETURN / QPS answers and transport failures into the typed <see cref="QualysException"/>s
/// (the only place errors are mapped), counts requests and logs. Secrets never reach a log or a message.
/// </summary>
internal sealed partial class QualysConnection : IDisposable
{
    private static readonly ResiliencePropertyKey<RetryState> StateKey = new("scangate.qualys.retry");
    private static readonly HashSet<string> SecretKeys = new(StringComparer.OrdinalIgnoreCase) { "password", "username", "token" };
    private const int MaxErrorBody = 1 << 20;

    private readonly HttpClient _http;
    private readonly ResiliencePipeline _pipeline;
    private readonly AuthenticationHeaderValue _basic;
    private readonly ProductInfoHeaderValue _userAgent = new(ToolInfo.Name, ToolInfo.Version);
    private int _requests;

    public QualysConnection(QualysClientOptions options, HttpMessageHandler handler, TimeProvider time, ILogger logger, bool disposeHandler)
    {
        Options = options;
        Time = time;
        Logger = logger;
        _http = new HttpClient(handler, disposeHandler) { Timeout = Timeout.InfiniteTimeSpan };
        _basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")));
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Context, args.Outcome.Exception)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.Context.Properties.GetValue(StateKey, null!).NextDelay),
                OnRetry = args =>
                {
                    var state = args.Context.Properties.GetValue(StateKey, null!);
                    LogRetry(Logger, state.Operation, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, args.Outcome.Exception?.Message ?? "unknown");
                    return default;
                },
            })
            .Build();
    }

    public QualysClientOptions Options { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public QualysPlatform Platform => Options.Platform;

    /// <summary>
    /// The caller's deadline: no retry is started whose wait would end after it (a 1965 wait included); the call then
    /// fails at once with its last error. Cutting an attempt that is in flight is the caller's token's job.
    /// </summary>
    public DateTimeOffset? Deadline { get; set; }

    /// <summary>HTTP requests sent so far, every attempt counted.</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    public void Dispose() => _http.Dispose();

    public Uri Api(string relative) => new(Options.Platform.ApiUrl, relative);

    public static string Query(params (string Key, string? Value)[] parameters) =>
        string.Join('&', parameters.Where(p => p.Value is not null).Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value!)}"));

    // ---- the resilience pipeline --------------------------------------------------------------------------------

    private sealed class RetryState(string operation, CallKind kind)
    {
        public string Operation { get; } = operation;

        public CallKind Kind { get; } = kind;

        public int Attempts { get; set; }

        public int Transient { get; set; }

        public int Concurrency { get; set; }

        public int RateLimited { get; set; }

        public int BodyRestarts { get; set; }

        public TimeSpan NextDelay { get; set; }
    }

    /// <summary>Runs <paramref name="attempt"/> under the retry policy of <paramref name="kind"/> (docs/client.md).</summary>
    public async Task<T> ExecuteAsync<T>(string operation, CallKind kind, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
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
                    return await attempt(ctx.CancellationToken).ConfigureAwait(false);
                },
                context).ConfigureAwait(false);
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

    /// <summary>Decides whether to retry and, when so, how long to wait first (never past the deadline).</summary>
    private bool ShouldRetry(ResilienceContext context, Exception? exception)
    {
        if (exception is not QualysException failure || context.CancellationToken.IsCancellationRequested)
        {
            return false;
        }

        var state = context.Properties.GetValue(StateKey, null!);
        TimeSpan delay;
        switch (failure.Transience)
        {
            case Transience.RateLimited:
                delay = failure.RetryAfter ?? Options.MaxRateLimitWait;
                if (delay > Options.MaxRateLimitWait || ++state.RateLimited > Options.MaxRateLimitRetries)
                {
                    return false;
                }

                break;
            case Transience.Concurrency:
                if (++state.Concurrency > Options.MaxConcurrencyRetries)
                {
                    return false;
                }

                delay = Options.ConcurrencyMinDelay + ((Options.ConcurrencyMaxDelay - Options.ConcurrencyMinDelay) * Options.Jitter());
                break;
            case Transience.NotSent:
                if (++state.Transient > Options.MaxTransientRetries)
                {
                    return false;
                }

                delay = BackOff(state.Transient);
                break;
            case Transience.Transient or Transience.Processing:
                // Launch retries these too, but only because each new launch attempt first looks the scan up by title.
                if (state.Kind == CallKind.NonIdempotent || ++state.Transient > Options.MaxTransientRetries)
                {
                    return false;
                }

                delay = BackOff(state.Transient);
                break;
            case Transience.BodyBroken:
                // A result body that broke off after the headers is fetched again once, at once.
                if (++state.BodyRestarts > 1)
                {
                    return false;
                }

                delay = TimeSpan.Zero;
                break;
            default:
                return false;
        }

        // A wait that ends at the deadline leaves no time for the attempt after it.
        if (Deadline is { } deadline && Time.GetUtcNow() + delay >= deadline)
        {
            failure.StoppedByDeadline = true;
            return false;
        }

        state.NextDelay = delay;
        return true;
    }

    private TimeSpan BackOff(int retry)
    {
        var exponent = Math.Min(Math.Max(retry - 1, 0), 16);
        var raw = Options.RetryBaseDelay * Math.Pow(2, exponent);
        var capped = raw > Options.RetryMaxDelay ? Options.RetryMaxDelay : raw;
        return capped * (0.5 + (0.5 * Options.Jitter()));
    }

    // ---- requests -----------------------------------------------------------------------------------------------

    private HttpRequestMessage Build(QualysRequest call)
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

        if (Logger.IsEnabled(LogLevel.Debug))
        {
            var parameters = DescribeParameters(call);
            LogCall(Logger, call.Operation, call.Method.Method, call.Url.AbsolutePath, parameters);
        }

        return request;
    }

    private static string DescribeParameters(QualysRequest call)
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

    /// <summary>Sends once and reads the whole (small) body within <see cref="QualysClientOptions.RequestTimeout"/>.</summary>
    public async Task<QualysResponse> SendOnceAsync(QualysRequest call, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Options.RequestTimeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = Build(call);
        try
        {
            Interlocked.Increment(ref _requests);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var body = await ReadBoundedAsync(response, linked.Token).ConfigureAwait(false);
            return new QualysResponse((int)response.StatusCode, response.Headers, response.Content.Headers.ContentType?.MediaType, body);
        }
        catch (Exception ex) when (ex is not QualysException && !cancellationToken.IsCancellationRequested)
        {
            throw MapTransportFailure(call.Operation, call.Url, ex, timeout.IsCancellationRequested);
        }
    }

    /// <summary>
    /// Sends once and returns the response with its headers read and its body not, within
    /// <paramref name="headersTimeout"/> (the caller's token may cut it sooner). The caller disposes the response.
    /// </summary>
    public async Task<HttpResponseMessage> SendForStreamAsync(QualysRequest call, TimeSpan headersTimeout, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(headersTimeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = Build(call);
        try
        {
            Interlocked.Increment(ref _requests);
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not QualysException && !cancellationToken.IsCancellationRequested)
        {
            throw MapTransportFailure(call.Operation, call.Url, ex, timeout.IsCancellationRequested);
        }
    }

    /// <summary>The body of <paramref name="response"/> guarded against stalls, corrupt compression and resets.</summary>
    public async Task<Stream> OpenBodyAsync(QualysRequest call, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var inner = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return new GuardedBodyStream(inner, this, call);
    }

    /// <summary>Reads a (small) error or XML body, at most 1 MiB.</summary>
    public static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await CopyBoundedAsync(stream, buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    public static async Task CopyBoundedAsync(Stream source, MemoryStream target, CancellationToken cancellationToken)
    {
        var chunk = new byte[16 * 1024];
        int n;
        while (target.Length < MaxErrorBody && (n = await source.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            target.Write(chunk, 0, n);
        }
    }

    /// <summary>One retried XML call: send, interpret, return the document.</summary>
    public Task<XDocument> GetXmlAsync(QualysRequest call, CancellationToken cancellationToken) =>
        ExecuteAsync(call.Operation, call.Kind, async ct => Interpret(call, await SendOnceAsync(call, ct).ConfigureAwait(false)), cancellationToken);

    // ---- errors: mapped here and nowhere else --------------------------------------------------------------------

    public static string HostOf(Uri url) => url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port}";

    /// <summary>
    /// A transport failure (no usable HTTP answer) as a typed exception with its retry class. A body whose gzip/deflate
    /// stream is corrupt or cut is an answer that cannot be read: a format error, not retried.
    /// </summary>
    public static QualysException MapTransportFailure(string operation, Uri url, Exception ex, bool timedOut)
    {
        if (ex is InvalidDataException)
        {
            return new QualysResponseFormatException(operation, $"the compressed (gzip/deflate) body is corrupt or truncated ({ex.Message})", ex);
        }

        var host = HostOf(url);
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
                // A name that does not resolve does not start resolving a few seconds later: fail at once, naming it.
                HttpRequestError.NameResolutionError => new QualysConnectionException(operation, host, QualysConnectionFailure.Dns, $"the host name '{url.Host}' does not resolve", ex),
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

    /// <summary>
    /// Turns an FO/QPS response into a document, or throws the typed error it carries: a SIMPLE_RETURN or
    /// GENERIC_RETURN with a code (also on HTTP 200), a QPS responseCode other than SUCCESS, an HTML page, an empty or
    /// non-XML body, or an HTTP error status.
    /// </summary>
    public XDocument Interpret(QualysRequest call, QualysResponse response)
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

    private QualysApiException ApiError(QualysRequest call, QualysResponse response, int? code, string? text, XDocument? doc)
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
                resets = Time.GetUtcNow() + wait.Value;
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

    /// <summary>An answer that is not the expected document (wrong root element).</summary>
    public static void ExpectRoot(string operation, XDocument doc, params string[] names)
    {
        var root = doc.Root?.Name.LocalName;
        if (root is null || !names.Contains(root, StringComparer.Ordinal))
        {
            throw new QualysResponseFormatException(operation, $"expected <{string.Join("> or <", names)}> but got <{root ?? "nothing"}>");
        }
    }

    /// <summary>
    /// The <c>RESPONSE</c> of every page of a paged FO list (root <paramref name="root"/>), following the 1980 truncation
    /// URLs, one page at a time.
    /// </summary>
    public async IAsyncEnumerable<(QualysRequest Call, XElement? Response)> PagesAsync(QualysRequest first, string root, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (QualysRequest? call = first; call is not null;)
        {
            var doc = await GetXmlAsync(call, cancellationToken).ConfigureAwait(false);
            ExpectRoot(call.Operation, doc, root);
            var response = doc.Root!.Element("RESPONSE");
            yield return (call, response);
            call = NextPage(call, response);
        }
    }

    /// <summary>The request for the next page when the response ends with WARNING 1980 and a URL; null on the last page.</summary>
    private QualysRequest? NextPage(QualysRequest current, XElement? response)
    {
        var warning = response?.Element("WARNING");
        if (warning is null || !string.Equals(warning.Text("CODE"), "1980", StringComparison.Ordinal))
        {
            return null;
        }

        var text = warning.Text("URL");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var next))
        {
            throw new QualysResponseFormatException(current.Operation, "a 1980 truncation warning has no usable URL, so the list would be incomplete");
        }

        var api = Options.Platform.ApiUrl;
        if (!string.Equals(next.Host, api.Host, StringComparison.OrdinalIgnoreCase) || next.Port != api.Port || !string.Equals(next.Scheme, api.Scheme, StringComparison.Ordinal))
        {
            // Following it would send our credentials to another server.
            throw new QualysResponseFormatException(current.Operation, $"the next-page URL points at {next.Scheme}://{next.Host}:{next.Port}, not the platform; refusing to follow it");
        }

        return current with { Method = HttpMethod.Get, Url = next, Form = null };
    }

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault()?.Trim() : null;

    /// <summary>The first 200 bytes of an untrusted body, control characters blanked.</summary>
    public static string Snippet(byte[] body)
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

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Qualys {Operation}: {Method} {Path} {Parameters}")]
    private static partial void LogCall(ILogger logger, string operation, string method, string path, string parameters);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Qualys {Operation}: attempt {Attempt} in {DelaySeconds:0.#} s because {Reason}")]
    private static partial void LogRetry(ILogger logger, string operation, int attempt, double delaySeconds, string reason);

    /// <summary>
    /// A response body that never waits forever and never fails untyped: a read that gets no byte within
    /// <see cref="QualysClientOptions.StallTimeout"/> is a stall, a reset is <see cref="Transience.BodyBroken"/>
    /// (restarted once by a caller that can rewind), a corrupt gzip/deflate stream is a format error. Disposing it
    /// disposes the inner stream; the caller disposes the response.
    /// </summary>
    private sealed class GuardedBodyStream(Stream inner, QualysConnection connection, QualysRequest call) : ReadOnlyBodyStream
    {
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            using var stall = new CancellationTokenSource(connection.Options.StallTimeout, connection.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stall.Token);
            try
            {
                return await inner.ReadAsync(buffer, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (stall.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new QualysConnectionException(call.Operation, HostOf(call.Url), QualysConnectionFailure.Timeout,
                    $"the body stalled: no data for {connection.Options.StallTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s", ex)
                { Transience = Transience.BodyBroken };
            }
            catch (InvalidDataException ex)
            {
                throw new QualysResponseFormatException(call.Operation, $"the compressed (gzip/deflate) body is corrupt or truncated ({ex.Message})", ex);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                throw new QualysConnectionException(call.Operation, HostOf(call.Url), QualysConnectionFailure.Reset, "the connection broke in the middle of the body", ex)
                { Transience = Transience.BodyBroken };
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
