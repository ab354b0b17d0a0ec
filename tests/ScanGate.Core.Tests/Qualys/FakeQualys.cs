using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ScanGate.Qualys;

namespace ScanGate.Core.Tests.Qualys;

/// <summary>A request as the fake server saw it.</summary>
internal sealed record CapturedRequest(HttpMethod Method, Uri Url, HttpRequestMessage Message, string Body, DateTimeOffset At)
{
    public string Path => Url.AbsolutePath;

    public string? Query(string key) => Parse(Url.Query.TrimStart('?')).GetValueOrDefault(key);

    public string? Form(string key) => Parse(Body).GetValueOrDefault(key);

    public string? Header(string name) =>
        Message.Headers.TryGetValues(name, out var v) ? string.Join(",", v) : null;

    private static Dictionary<string, string> Parse(string text) =>
        text.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty, StringComparer.Ordinal);
}

/// <summary>
/// Hand-written fake Qualys: a route table (first match wins; a route can answer a sequence, the last answer repeats)
/// and a log of every request.
/// </summary>
internal sealed class FakeQualysHandler(TimeProvider? time = null) : HttpMessageHandler
{
    private readonly List<(Func<CapturedRequest, bool> Match, Queue<Func<CapturedRequest, HttpResponseMessage>> Answers)> _routes = [];
    private readonly ConcurrentQueue<CapturedRequest> _requests = new();

    public IReadOnlyList<CapturedRequest> Requests => [.. _requests];

    public IReadOnlyList<CapturedRequest> RequestsTo(string pathPart, string? action = null) =>
        [.. _requests.Where(r => r.Path.Contains(pathPart, StringComparison.Ordinal) && (action is null || r.Query("action") == action || r.Form("action") == action))];

    public FakeQualysHandler On(string pathPart, params Func<CapturedRequest, HttpResponseMessage>[] answers) =>
        On(r => r.Path.Contains(pathPart, StringComparison.Ordinal), answers);

    public FakeQualysHandler On(string pathPart, string action, params Func<CapturedRequest, HttpResponseMessage>[] answers) =>
        On(r => r.Path.Contains(pathPart, StringComparison.Ordinal) && (r.Query("action") == action || r.Form("action") == action), answers);

    public FakeQualysHandler On(Func<CapturedRequest, bool> match, params Func<CapturedRequest, HttpResponseMessage>[] answers)
    {
        _routes.Add((match, new Queue<Func<CapturedRequest, HttpResponseMessage>>(answers)));
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var captured = new CapturedRequest(request.Method, request.RequestUri!, request, body, (time ?? TimeProvider.System).GetUtcNow());
        _requests.Enqueue(captured);
        foreach (var (match, answers) in _routes)
        {
            if (match(captured))
            {
                var answer = answers.Count > 1 ? answers.Dequeue() : answers.Peek();
                var response = answer(captured);
                if (response is null)
                {
                    // A hung server: only the client's timeout or cancellation ends this.
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }

                response!.RequestMessage ??= request;
                return response;
            }
        }

        return Respond.Xml(HttpStatusCode.NotFound, "<SIMPLE_RETURN><RESPONSE><CODE>1901</CODE><TEXT>no route in fake</TEXT></RESPONSE></SIMPLE_RETURN>")(captured);
    }
}

/// <summary>Canned answers.</summary>
internal static class Respond
{
    public static Func<CapturedRequest, HttpResponseMessage> Xml(string body, string contentType = "application/xml") => Xml(HttpStatusCode.OK, body, contentType);

    public static Func<CapturedRequest, HttpResponseMessage> Xml(HttpStatusCode status, string body, string contentType = "application/xml", params (string Name, string Value)[] headers) => _ =>
    {
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        response.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    };

    public static Func<CapturedRequest, HttpResponseMessage> Error(HttpStatusCode status, int code, string text, params (string Name, string Value)[] headers) =>
        Xml(status, $"<!DOCTYPE SIMPLE_RETURN SYSTEM \"https://qualysapi.qg3.apps.qualys.com/api/2.0/simple_return.dtd\">\n<SIMPLE_RETURN>\n  <RESPONSE><DATETIME>2020-09-27T01:23:36Z</DATETIME><CODE>{code}</CODE>\n    <TEXT>{text}</TEXT></RESPONSE>\n</SIMPLE_RETURN>", "application/xml", headers);

    public static Func<CapturedRequest, HttpResponseMessage> Throw(Exception ex) => _ => throw ex;

    /// <summary>Never answers (until the request is cancelled).</summary>
    public static Func<CapturedRequest, HttpResponseMessage> Hang() => _ => null!;

    public static string ScanList(params (string Ref, string Title, string State, string? SubState)[] scans) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<!DOCTYPE SCAN_LIST_OUTPUT SYSTEM \"https://qualysapi.qualys.com/api/3.0/fo/scan/scan_list_output.dtd\">\n" +
        "<SCAN_LIST_OUTPUT><RESPONSE><DATETIME>2025-01-09T10:21:25Z</DATETIME>" +
        (scans.Length == 0 ? string.Empty : "<SCAN_LIST>" + string.Concat(scans.Select(s =>
            $"<SCAN><ID>{s.Ref.Split('.')[^1]}</ID><REF>{s.Ref}</REF><TYPE>API</TYPE><TITLE>\n   <![CDATA[{s.Title}]]>\n  </TITLE><USER_LOGIN>user_ab</USER_LOGIN>" +
            $"<LAUNCH_DATETIME>2025-01-08T18:33:31Z</LAUNCH_DATETIME><DURATION>00:29:43</DURATION><PROCESSED>1</PROCESSED>" +
            $"<STATUS><STATE>{s.State}</STATE>{(s.SubState is null ? string.Empty : $"<SUB_STATE>{s.SubState}</SUB_STATE>")}</STATUS><TARGET><![CDATA[10.0.0.5]]></TARGET></SCAN>")) + "</SCAN_LIST>") +
        "</RESPONSE></SCAN_LIST_OUTPUT>\n<!-- CONFIDENTIAL AND PROPRIETARY INFORMATION. Qualys provides the QualysGuard Service \"As Is,\" //-->";

    public const string LaunchOk =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<!DOCTYPE SIMPLE_RETURN SYSTEM \"https://qualysapi.qualys.com/api/2.0/simple_return.dtd\">\n" +
        "<SIMPLE_RETURN><RESPONSE>\n    <DATETIME>2018-02-25T21:32:40Z</DATETIME><TEXT>New vm scan launched</TEXT>\n    <ITEM_LIST><ITEM><KEY>ID</KEY><VALUE>136992</VALUE></ITEM>\n" +
        "      <ITEM><KEY>REFERENCE</KEY><VALUE>scan/1358285558.36992</VALUE></ITEM></ITEM_LIST>\n</RESPONSE></SIMPLE_RETURN>";
}

/// <summary>
/// A FakeTimeProvider that reports each timer it creates, so a test can wait until the client is really waiting
/// before it moves the clock (no real sleeps, no races).
/// </summary>
internal sealed class ObservedTime : TimeProvider
{
    private readonly FakeTimeProvider _fake = new(new DateTimeOffset(2026, 11, 28, 4, 0, 0, TimeSpan.Zero));
    private readonly ConcurrentQueue<TimeSpan> _created = new();
    private readonly SemaphoreSlim _signal = new(0);

    public FakeTimeProvider Fake => _fake;

    public DateTimeOffset Start { get; } = new(2026, 11, 28, 4, 0, 0, TimeSpan.Zero);

    public TimeSpan Elapsed => _fake.GetUtcNow() - Start;

    public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

    public override long GetTimestamp() => _fake.GetTimestamp();

    public override long TimestampFrequency => _fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _fake.CreateTimer(callback, state, dueTime, period);
        _created.Enqueue(dueTime);
        _signal.Release();
        return timer;
    }

    /// <summary>Waits (without sleeping) for the next timer whose due time matches, skipping the others (e.g. request timeouts).</summary>
    public async Task<TimeSpan> NextTimerAsync(Func<TimeSpan, bool> match, Task? giveUpWhen = null)
    {
        while (true)
        {
            var wait = _signal.WaitAsync(TestContext.Current.CancellationToken);
            if (giveUpWhen is not null && await Task.WhenAny(wait, giveUpWhen) == giveUpWhen && !wait.IsCompleted)
            {
                throw new InvalidOperationException("the operation ended before the expected timer was created");
            }

            await wait;
            _created.TryDequeue(out var due);
            if (match(due))
            {
                return due;
            }
        }
    }

    public void Advance(TimeSpan by) => _fake.Advance(by);
}

/// <summary>Collects formatted log lines (to check retry reasons and that no secret leaks).</summary>
internal sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => [.. _entries];

    public string All => string.Join("\n", _entries.Select(e => e.Message));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((logLevel, formatter(state, exception)));
}

internal static class TestClients
{
    public const string Password = "s3cr3t-P@ss";

    public static QualysClientOptions Options(string platform = "US1", Func<QualysClientOptions, QualysClientOptions>? tweak = null) => new()
    {
        Platform = QualysPlatform.Resolve(platform),
        Username = "acme_ab12",
        Password = Password,
        Jitter = () => 0.5,
    };

    public static QualysClient Create(FakeQualysHandler handler, TimeProvider? time = null, ILogger? logger = null, QualysClientOptions? options = null) =>
        new(options ?? Options(), handler, time ?? new FakeTimeProvider(), logger);
}
