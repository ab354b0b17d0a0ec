using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace ScanGate.Emulator;

/// <summary>
/// The request pipeline: control API, logging, faults, X-Requested-With, authentication, rate/concurrency limits,
/// then the Qualys handlers.
/// </summary>
internal sealed class Pipeline(EmulatorState state)
{
    private static readonly HashSet<string> SecretParameters = new(StringComparer.OrdinalIgnoreCase) { "password", "passwd", "token_secret" };
    private static readonly HashSet<string> SecretHeaders = new(StringComparer.OrdinalIgnoreCase) { "Authorization", "Cookie", "Proxy-Authorization" };

    private readonly Handlers _handlers = new(state);
    private readonly ControlApi _control = new(state);

    public async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "/";
        if (path.StartsWith("/_emulator/", StringComparison.Ordinal) || path == "/_emulator")
        {
            await _control.HandleAsync(http).ConfigureAwait(false);
            return;
        }

        if (path.StartsWith("/api/", StringComparison.Ordinal) && !path.EndsWith('/'))
        {
            path += "/";
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in http.Request.Query)
        {
            parameters[key] = value.ToString();
        }

        string? body = null;
        if (http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
            foreach (var (key, value) in form)
            {
                parameters[key] = value.ToString();
            }
        }
        else if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            // Kestrel caps request bodies at 16 MB (QualysEmulator.StartAsync), so reading it whole is bounded.
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
        }

        var req = new Req
        {
            Http = http,
            Path = path,
            Method = http.Request.Method,
            P = parameters,
            Body = body,
            BaseUrl = $"{http.Request.Scheme}://{http.Request.Host}",
        };
        req.Record = state.Record(http.Request.Method, path, Redact(parameters), RedactHeaders(http.Request.Headers), body);
        try
        {
            await RunAsync(req).ConfigureAwait(false);
        }
        finally
        {
            // 0 marks a call without a complete answer (connection reset, hang or stall the client gave up on).
            req.Record.Status = http.RequestAborted.IsCancellationRequested || req.Aborted ? 0 : http.Response.StatusCode;
            state.Count(path, req.Get("action"), req.Record.Status);
        }
    }

    private static readonly HashSet<string> BodyFaults = new(StringComparer.Ordinal)
    {
        "truncated_body", "cut_body", "reset_mid_body", "stall_body", "malformed_body", "wrong_content_type", "gzip_corrupt",
        "gzip_truncated", "lost_launch_response",
    };

    private async Task RunAsync(Req req)
    {
        var http = req.Http;
        var faults = state.FiringFaults(req.Path, req.Get("action"));
        req.Faults = faults;
        req.SlowSeconds = faults.Where(f => f.Kind == "slow").Sum(f => f.DelaySeconds);

        foreach (var fault in faults)
        {
            if (await ApplyImmediateFaultAsync(req, fault).ConfigureAwait(false))
            {
                return;
            }
        }

        // gzip faults apply only when the client asked for gzip; otherwise the answer is the normal one.
        var bodyFault = faults.FirstOrDefault(f => BodyFaults.Contains(f.Kind) && (!f.Kind.StartsWith("gzip_", StringComparison.Ordinal) || AcceptsGzip(http)));
        req.Http.Items[Handlers.ConnectorFaultKey] = faults.FirstOrDefault(f => f.Kind.StartsWith("connector_", StringComparison.Ordinal));

        if (bodyFault is null)
        {
            await GuardedAsync(req).ConfigureAwait(false);
            return;
        }

        // Buffer the real answer, then damage it.
        var original = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try
        {
            await GuardedAsync(req).ConfigureAwait(false);
        }
        finally
        {
            http.Response.Body = original;
        }

        var bytes = buffer.ToArray();
        var cut = (int)Math.Clamp(bodyFault.ByteOffset ?? bytes.Length / 2, 0, bytes.Length);
        var ct = http.RequestAborted;
        switch (bodyFault.Kind)
        {
            case "lost_launch_response":
                // The work is done (e.g. the scan exists) but the client never hears about it.
                http.Abort();
                req.Aborted = true;
                return;
            case "truncated_body":
                // The headers promise the whole body; the connection closes (FIN) after `cut` bytes.
                await SendPartAsync(req, bytes, cut, reset: false).ConfigureAwait(false);
                return;
            case "cut_body":
                // A complete HTTP answer whose document stops at `cut` bytes: only the content shows it.
                http.Response.ContentLength = cut;
                await original.WriteAsync(bytes.AsMemory(0, cut), ct).ConfigureAwait(false);
                return;
            case "reset_mid_body":
                // The headers promise the whole body; a TCP reset follows `cut` bytes.
                await SendPartAsync(req, bytes, cut, reset: true).ConfigureAwait(false);
                return;
            case "stall_body":
                http.Response.ContentLength = bytes.Length;
                await original.WriteAsync(bytes.AsMemory(0, cut), ct).ConfigureAwait(false);
                await original.FlushAsync(ct).ConfigureAwait(false);
                await WaitUntilAbandonedAsync(req).ConfigureAwait(false);
                return;
            case "wrong_content_type":
                http.Response.ContentType = bodyFault.ContentType ?? "text/plain;charset=UTF-8";
                http.Response.ContentLength = bytes.Length;
                await original.WriteAsync(bytes, ct).ConfigureAwait(false);
                return;
            case "gzip_corrupt":
            case "gzip_truncated":
                var gzip = Gzip(bytes);
                if (bodyFault.Kind == "gzip_corrupt")
                {
                    // Damage the deflate data in the middle and the CRC32 trailer: the stream cannot decode cleanly.
                    for (var i = gzip.Length / 2; i < Math.Min(gzip.Length - 8, (gzip.Length / 2) + 8); i++)
                    {
                        gzip[i] ^= 0xA5;
                    }

                    gzip[^8] ^= 0xFF;
                }
                else
                {
                    gzip = gzip[..(int)Math.Clamp(bodyFault.ByteOffset ?? gzip.Length / 2, 0, gzip.Length)];
                }

                http.Response.Headers.ContentEncoding = "gzip";
                http.Response.ContentLength = gzip.Length;
                await original.WriteAsync(gzip, ct).ConfigureAwait(false);
                return;
            default:
                // malformed_body: complete HTTP, the document cut and followed by garbage.
                var at = (int)Math.Clamp(bodyFault.ByteOffset ?? Math.Max(1, bytes.Length * 3 / 5), 0, bytes.Length);
                http.Response.ContentLength = at + 3;
                await original.WriteAsync(bytes.AsMemory(0, at), ct).ConfigureAwait(false);
                await original.WriteAsync("<{\n"u8.ToArray(), ct).ConfigureAwait(false);
                return;
        }
    }

    private static bool AcceptsGzip(HttpContext http) =>
        http.Request.Headers.AcceptEncoding.Any(v => v?.Contains("gzip", StringComparison.OrdinalIgnoreCase) == true);

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    /// <summary>
    /// Sends the status line, the headers (promising the whole body) and <paramref name="cut"/> bytes straight to the
    /// socket, then ends the connection with a FIN or a reset. Written past Kestrel on purpose: Kestrel's abort drops
    /// output it has not sent yet, so the client would not reliably see the bytes before the connection ends.
    /// </summary>
    private async Task SendPartAsync(Req req, byte[] bytes, int cut, bool reset)
    {
        var http = req.Http;
        var socket = http.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionSocketFeature>()?.Socket;
        if (socket is null)
        {
            // Not on the socket transport (e.g. an in-memory test server): the best Kestrel itself can do.
            http.Response.ContentLength = bytes.Length;
            await http.Response.Body.WriteAsync(bytes.AsMemory(0, cut), http.RequestAborted).ConfigureAwait(false);
            await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
            http.Abort();
            req.Aborted = true;
            return;
        }

        var status = http.Response.StatusCode;
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status)}\r\n")
            .Append("Date: ").Append(TimeProvider.System.GetUtcNow().ToString("r", CultureInfo.InvariantCulture)).Append("\r\n");
        foreach (var (name, value) in http.Response.Headers)
        {
            if (!string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                head.Append(name).Append(": ").Append(value.ToString()).Append("\r\n");
            }
        }

        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {bytes.Length}\r\n\r\n");
        await socket.SendAsync(Encoding.ASCII.GetBytes(head.ToString()), System.Net.Sockets.SocketFlags.None, http.RequestAborted).ConfigureAwait(false);
        await socket.SendAsync(bytes.AsMemory(0, cut), System.Net.Sockets.SocketFlags.None, http.RequestAborted).ConfigureAwait(false);
        if (reset)
        {
            socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
            http.Abort();
            req.Aborted = true;
            return;
        }

        // FIN after the bytes; the connection is dropped once the client has given up on the rest.
        socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        await WaitUntilAbandonedAsync(req).ConfigureAwait(false);
    }

    /// <summary>Aborts with a TCP reset (SO_LINGER 0) rather than a close, so the client sees "connection reset".</summary>
    private static void Reset(HttpContext http)
    {
        if (http.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionSocketFeature>()?.Socket is { } socket)
        {
            socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        }

        http.Abort();
    }

    /// <summary>Holds the answer open until the client gives up (or the emulator stops), then drops the connection.</summary>
    private async Task WaitUntilAbandonedAsync(Req req)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(req.Http.RequestAborted, state.Stopping.Token);
        Interlocked.Increment(ref state.HangingInFlight);
        try
        {
            await Task.Delay(Timeout.Infinite, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client gave up or the emulator is stopping.
        }
        finally
        {
            Interlocked.Decrement(ref state.HangingInFlight);
        }

        req.Http.Abort();
        req.Aborted = true;
    }

    private async Task GuardedAsync(Req req)
    {
        var http = req.Http;
        var isFo = req.Path.StartsWith("/api/", StringComparison.Ordinal) || req.Path.StartsWith("/msp/", StringComparison.Ordinal);
        var isQps = req.Path.StartsWith("/qps/", StringComparison.Ordinal);
        var isSession = req.Path.EndsWith("/fo/session/", StringComparison.Ordinal);
        if (isFo)
        {
            http.Response.Headers.Server = "Qualys";
        }
        else if (isQps)
        {
            http.Response.Headers.Server = "Apache";
        }

        if (req.Path == "/auth" || req.Path == "/auth/")
        {
            await SlowAsync(req).ConfigureAwait(false);
            await _handlers.GatewayAuthAsync(req).ConfigureAwait(false);
            return;
        }

        if (!isFo && !isQps)
        {
            await Respond.Text(http, 404, "text/html; charset=UTF-8", "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n").ConfigureAwait(false);
            return;
        }

        if (isFo && req.Path.StartsWith("/api/", StringComparison.Ordinal) && state.Scenario.Subscription.RequireRequestedWith
            && string.IsNullOrEmpty(http.Request.Headers["X-Requested-With"]))
        {
            // The real API refuses v2 calls without this CSRF header; the code is not documented, so only TEXT is sent.
            await Respond.SimpleReturn(req, 400, null, "Please specify the X-Requested-With header in the request.", now: state.Clock.Now).ConfigureAwait(false);
            return;
        }

        if (isSession)
        {
            await SlowAsync(req).ConfigureAwait(false);
            await _handlers.SessionAsync(req).ConfigureAwait(false);
            return;
        }

        if (isQps)
        {
            if (!await _handlers.QpsAuthenticateAsync(req).ConfigureAwait(false))
            {
                return;
            }

            await SlowAsync(req).ConfigureAwait(false);
            await _handlers.QpsAsync(req).ConfigureAwait(false);
            return;
        }

        if (!await _handlers.FoAuthenticateAsync(req).ConfigureAwait(false))
        {
            return;
        }

        var decision = state.Limiter.TryEnter(req.Path, state.Clock.Now);
        var headers = http.Response.Headers;
        headers["X-RateLimit-Limit"] = decision.Spec.Limit.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Window-Sec"] = decision.Spec.Window.ToString(CultureInfo.InvariantCulture);
        headers["X-Concurrency-Limit-Limit"] = decision.Spec.Concurrency.ToString(CultureInfo.InvariantCulture);
        headers["X-Concurrency-Limit-Running"] = decision.Running.ToString(CultureInfo.InvariantCulture);
        if (decision.Outcome == LimitOutcome.ConcurrencyExceeded)
        {
            // Concurrency wins over the rate limit. As in the API guide's sample header set, this 409 carries no
            // ToWait-Sec and no Remaining (the dynamic rate information); Limit and Window-Sec stay.
            var toFinish = decision.Running - decision.Spec.Concurrency + 1;
            await Respond.SimpleReturn(req, 409, "1960",
                $"This API cannot be run again until {toFinish} currently running API instance has finished.",
                [("CALLS_TO_FINISH", decision.Running.ToString(CultureInfo.InvariantCulture))], state.Clock.Now).ConfigureAwait(false);
            return;
        }

        headers["X-RateLimit-ToWait-Sec"] = decision.ToWaitSeconds.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        if (decision.Outcome == LimitOutcome.RateExceeded)
        {
            await Respond.SimpleReturn(req, 409, "1965",
                $"This API cannot be run again for another {Respond.DurationText(decision.ToWaitSeconds)}.",
                [("SECONDS_TO_WAIT", decision.ToWaitSeconds.ToString(CultureInfo.InvariantCulture))], state.Clock.Now).ConfigureAwait(false);
            return;
        }

        try
        {
            // A slow answer keeps its concurrency slot for the whole delay, as a long-running real call does.
            await SlowAsync(req).ConfigureAwait(false);
            await _handlers.FoAsync(req).ConfigureAwait(false);
        }
        finally
        {
            state.Limiter.Exit(req.Path);
        }
    }

    private async Task SlowAsync(Req req)
    {
        if (req.SlowSeconds <= 0)
        {
            return;
        }

        // The timer exists once Task.Delay returns; only then may a test advance its fake clock.
        var delay = Task.Delay(TimeSpan.FromSeconds(req.SlowSeconds), state.Clock.TimeProvider, req.Http.RequestAborted);
        Interlocked.Increment(ref state.SlowInFlight);
        try
        {
            await delay.ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref state.SlowInFlight);
        }
    }

    private async Task<bool> ApplyImmediateFaultAsync(Req req, FaultRule fault)
    {
        var http = req.Http;
        var now = state.Clock.Now;
        switch (fault.Kind)
        {
            case "http_500":
                await Respond.SimpleReturn(req, 500, "999", "Internal error. Please contact customer support.", now: now).ConfigureAwait(false);
                return true;
            case "http_502":
                await Respond.Text(http, 502, "text/html; charset=iso-8859-1",
                    "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>502 Bad Gateway</title>\n</head><body>\n<h1>Bad Gateway</h1>\n<p>The proxy server received an invalid response from an upstream server.</p>\n</body></html>\n").ConfigureAwait(false);
                return true;
            case "http_503":
            case "maintenance_html":
                await Respond.Text(http, 503, "text/html; charset=UTF-8",
                    "<html><head><title>Service Unavailable</title></head><body><h1>Service Unavailable</h1><p>We are performing scheduled maintenance on our System. We apologize for any inconvenience.</p></body></html>\n").ConfigureAwait(false);
                return true;
            case "maintenance_1999":
                await Respond.SimpleReturn(req, 503, "1999", "We are performing scheduled maintenance on our System. We apologize for any inconvenience", now: now).ConfigureAwait(false);
                return true;
            case "connection_reset":
                Reset(http);
                req.Aborted = true;
                return true;
            case "hang":
                // Never answers, not even the headers, until the client gives up.
                await WaitUntilAbandonedAsync(req).ConfigureAwait(false);
                return true;
            case "simple_return":
                await SimpleReturnFaultAsync(req, fault).ConfigureAwait(false);
                return true;
            case "conflict_1960":
                await Conflict1960Async(req).ConfigureAwait(false);
                return true;
            case "conflict_1965":
                await Conflict1965Async(req, fault).ConfigureAwait(false);
                return true;
            default:
                return false;
        }
    }

    private async Task SimpleReturnFaultAsync(Req req, FaultRule fault)
    {
        var error = ErrorCodes.Get(fault.Code!);
        switch (error.Code)
        {
            case "1960":
                await Conflict1960Async(req).ConfigureAwait(false);
                return;
            case "1965":
                await Conflict1965Async(req, fault).ConfigureAwait(false);
                return;
        }

        await Respond.SimpleReturn(req, fault.Status ?? error.Status, error.Code, fault.Message ?? error.Text, now: state.Clock.Now,
            contentType: error.IsAccountError ? Respond.AuthErrorContentType : "application/xml").ConfigureAwait(false);
    }

    /// <summary>A 1960 as the guide shows it: Limit, Window-Sec, Concurrency-Limit and Running, no ToWait-Sec or Remaining.</summary>
    private Task Conflict1960Async(Req req)
    {
        var headers = req.Http.Response.Headers;
        headers["X-RateLimit-Limit"] = "300";
        headers["X-RateLimit-Window-Sec"] = "3600";
        headers["X-Concurrency-Limit-Limit"] = "2";
        headers["X-Concurrency-Limit-Running"] = "2";
        return Respond.SimpleReturn(req, 409, "1960", "This API cannot be run again until 1 currently running API instance has finished.",
            [("CALLS_TO_FINISH", "2")], state.Clock.Now);
    }

    private Task Conflict1965Async(Req req, FaultRule fault)
    {
        var headers = req.Http.Response.Headers;
        var wait = (int)Math.Ceiling(fault.Kind == "conflict_1965" ? fault.DelaySeconds : 30);
        var waitText = wait.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Limit"] = "300";
        headers["X-RateLimit-Window-Sec"] = "3600";
        headers["X-Concurrency-Limit-Limit"] = "2";
        headers["X-Concurrency-Limit-Running"] = "0";
        headers["X-RateLimit-ToWait-Sec"] = waitText;
        headers["X-RateLimit-Remaining"] = "0";
        return Respond.SimpleReturn(req, 409, "1965", $"This API cannot be run again for another {Respond.DurationText(wait)}.",
            [("SECONDS_TO_WAIT", waitText)], state.Clock.Now);
    }

    private static Dictionary<string, string> Redact(Dictionary<string, string> parameters)
    {
        var copy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in parameters)
        {
            copy[key] = SecretParameters.Contains(key) ? "***" : value;
        }

        return copy;
    }

    private static Dictionary<string, string> RedactHeaders(IHeaderDictionary headers)
    {
        var copy = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in headers)
        {
            if (!SecretHeaders.Contains(key))
            {
                copy[key] = value.ToString();
            }
        }

        return copy;
    }
}
