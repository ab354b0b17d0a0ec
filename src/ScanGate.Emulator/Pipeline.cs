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
            // 0 marks a call whose connection was reset (connection_reset, lost_launch_response, truncated_body).
            req.Record.Status = http.RequestAborted.IsCancellationRequested ? 0 : http.Response.StatusCode;
        }
    }

    private async Task RunAsync(Req req)
    {
        var http = req.Http;
        var faults = state.FiringFaults(req.Path, req.Get("action"));
        req.SlowSeconds = faults.Where(f => f.Kind == "slow").Sum(f => f.DelaySeconds);

        foreach (var fault in faults)
        {
            if (await ApplyImmediateFaultAsync(req, fault).ConfigureAwait(false))
            {
                return;
            }
        }

        var bodyFault = faults.FirstOrDefault(f => f.Kind is "truncated_body" or "malformed_body" or "lost_launch_response");
        req.Http.Items[Handlers.ScanFateKey] = faults.FirstOrDefault(f => f.Kind.StartsWith("scan_", StringComparison.Ordinal))?.Kind["scan_".Length..];
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
        switch (bodyFault.Kind)
        {
            case "lost_launch_response":
                // The work is done (e.g. the scan exists) but the client never hears about it.
                http.Abort();
                return;
            case "truncated_body":
                http.Response.ContentLength = bytes.Length;
                await original.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), http.RequestAborted).ConfigureAwait(false);
                await original.FlushAsync(http.RequestAborted).ConfigureAwait(false);
                http.Abort();
                return;
            default:
                var cut = Math.Max(1, bytes.Length * 3 / 5);
                http.Response.ContentLength = cut + 3;
                await original.WriteAsync(bytes.AsMemory(0, cut), http.RequestAborted).ConfigureAwait(false);
                await original.WriteAsync("<{\n"u8.ToArray(), http.RequestAborted).ConfigureAwait(false);
                return;
        }
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
                http.Abort();
                return true;
            case "conflict_1960":
                http.Response.Headers["X-RateLimit-Limit"] = "300";
                http.Response.Headers["X-RateLimit-Window-Sec"] = "3600";
                http.Response.Headers["X-Concurrency-Limit-Limit"] = "2";
                http.Response.Headers["X-Concurrency-Limit-Running"] = "2";
                await Respond.SimpleReturn(req, 409, "1960", "This API cannot be run again until 1 currently running API instance has finished.",
                    [("CALLS_TO_FINISH", "1")], now).ConfigureAwait(false);
                return true;
            case "conflict_1965":
                http.Response.Headers["X-RateLimit-Limit"] = "300";
                http.Response.Headers["X-RateLimit-Window-Sec"] = "3600";
                http.Response.Headers["X-Concurrency-Limit-Limit"] = "2";
                http.Response.Headers["X-Concurrency-Limit-Running"] = "1";
                http.Response.Headers["X-RateLimit-ToWait-Sec"] = "30";
                http.Response.Headers["X-RateLimit-Remaining"] = "0";
                await Respond.SimpleReturn(req, 409, "1965", "This API cannot be run again for another 30 seconds.",
                    [("SECONDS_TO_WAIT", "30")], now).ConfigureAwait(false);
                return true;
            default:
                return false;
        }
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
