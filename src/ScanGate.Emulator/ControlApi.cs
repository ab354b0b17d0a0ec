using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace ScanGate.Emulator;

/// <summary>
/// <c>/_emulator/…</c>: inspect and steer the emulator. Never mixed with Qualys paths, not authenticated (the
/// emulator listens on 127.0.0.1 only), never logged in the request log.
/// </summary>
internal sealed class ControlApi(EmulatorState state)
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        // Loopback-only tooling JSON: keep quotes in error messages readable ('4242', not \u00274242\u0027).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value!.TrimEnd('/');
        var method = http.Request.Method;
        try
        {
            switch (path)
            {
                case "/_emulator/requests" when HttpMethods.IsGet(method):
                    var since = long.TryParse(http.Request.Query["since"], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
                    await WriteAsync(http, 200, state.Requests.Where(r => r.Sequence > since).Select(r => new
                    {
                        r.Sequence, time = Xml.Time(r.Time), r.Method, r.Path, r.Parameters, r.Headers, r.Body, r.Status,
                    })).ConfigureAwait(false);
                    return;
                case "/_emulator/reset" when HttpMethods.IsPost(method):
                    state.Reset();
                    await WriteAsync(http, 200, new { reset = true, now = Xml.Time(state.Clock.Now) }).ConfigureAwait(false);
                    return;
                case "/_emulator/clock" when HttpMethods.IsGet(method):
                    await WriteAsync(http, 200, new { now = Xml.Time(state.Clock.Now) }).ConfigureAwait(false);
                    return;
                case "/_emulator/clock/advance" when HttpMethods.IsPost(method):
                    var text = http.Request.Query["seconds"].ToString();
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds < 0 || double.IsInfinity(seconds))
                    {
                        await WriteAsync(http, 400, new { error = $"seconds: invalid value '{text}' (a non-negative number is required)" }).ConfigureAwait(false);
                        return;
                    }

                    state.AdvanceClock(TimeSpan.FromSeconds(seconds));
                    await WriteAsync(http, 200, new { now = Xml.Time(state.Clock.Now) }).ConfigureAwait(false);
                    return;
                case "/_emulator/faults" when HttpMethods.IsGet(method):
                    await WriteAsync(http, 200, state.FaultSnapshot()).ConfigureAwait(false);
                    return;
                case "/_emulator/faults" when HttpMethods.IsPost(method):
                    var rule = await JsonSerializer.DeserializeAsync<FaultRule>(http.Request.Body, Json, http.RequestAborted).ConfigureAwait(false)
                        ?? throw new ScenarioException("fault: empty body");
                    state.AddFault(rule);
                    await WriteAsync(http, 201, rule).ConfigureAwait(false);
                    return;
                case "/_emulator/faults" when HttpMethods.IsDelete(method):
                    state.ClearFaults();
                    await WriteAsync(http, 200, new { cleared = true }).ConfigureAwait(false);
                    return;
                case "/_emulator/account" when HttpMethods.IsPost(method):
                    state.SetAccountState(http.Request.Query["user"].ToString(), http.Request.Query["state"].ToString());
                    await WriteAsync(http, 200, new { user = http.Request.Query["user"].ToString(), state = http.Request.Query["state"].ToString() }).ConfigureAwait(false);
                    return;
                case "/_emulator/stats" when HttpMethods.IsGet(method):
                    object stats;
                    lock (state.Sync)
                    {
                        var rows = state.Stats.OrderBy(k => k.Key.Path, StringComparer.Ordinal).ThenBy(k => k.Key.Action, StringComparer.Ordinal).ThenBy(k => k.Key.Status).ToList();
                        stats = new
                        {
                            total = rows.Sum(r => r.Value),
                            by_status = rows.GroupBy(r => r.Key.Status).OrderBy(g => g.Key)
                                .ToDictionary(g => g.Key.ToString(CultureInfo.InvariantCulture), g => g.Sum(r => r.Value), StringComparer.Ordinal),
                            calls = rows.Select(r => new { path = r.Key.Path, action = r.Key.Action, status = r.Key.Status, count = r.Value }),
                        };
                    }

                    await WriteAsync(http, 200, stats).ConfigureAwait(false);
                    return;
                case "/_emulator/scans" when HttpMethods.IsGet(method):
                    object[] scans;
                    lock (state.Sync)
                    {
                        scans = [.. state.Scans.Where(x => !x.Deleted).Select(x =>
                        {
                            var status = ScanMachine.Evaluate(x, state.Scenario.Timings, state.Clock.Now);
                            return (object)new { reference = x.Ref, id = x.Id, state = status.State, processed = status.Processed, target = x.TargetText, fate = x.Fate };
                        })];
                    }

                    await WriteAsync(http, 200, scans).ConfigureAwait(false);
                    return;
                default:
                    await WriteAsync(http, 404, new
                    {
                        error = $"unknown control endpoint: {method} {path}",
                        endpoints = new[]
                        {
                            "GET /_emulator/requests[?since=N]", "POST /_emulator/reset", "GET /_emulator/clock",
                            "POST /_emulator/clock/advance?seconds=N", "GET|POST|DELETE /_emulator/faults",
                            "POST /_emulator/account?user=U&state=S", "GET /_emulator/scans", "GET /_emulator/stats",
                        },
                    }).ConfigureAwait(false);
                    return;
            }
        }
        catch (Exception ex) when (ex is JsonException or ScenarioException or ArgumentException)
        {
            await WriteAsync(http, 400, new { error = ex.Message }).ConfigureAwait(false);
        }
    }

    private static async Task WriteAsync<T>(HttpContext http, int status, T value)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(http.Response.Body, value, Json, http.RequestAborted).ConfigureAwait(false);
    }
}
