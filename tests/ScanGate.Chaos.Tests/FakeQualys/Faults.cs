using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace ScanGate.Chaos.Tests.FakeQualys;

/// <summary>Where in a run a request belongs; a fault hits every request of its phase.</summary>
public enum Phase
{
    /// <summary><c>/msp/about.php</c> (the check for an API URL).</summary>
    Connection,

    /// <summary>QPS: connector search, get and run, host asset search.</summary>
    Ec2,

    /// <summary>The lists the names are checked against: option profiles, appliances, networks.</summary>
    Names,

    /// <summary><c>action=launch</c>.</summary>
    Launch,

    /// <summary><c>action=list</c>: the status polls.</summary>
    Poll,

    /// <summary><c>action=fetch</c>: the json_extended result.</summary>
    Fetch,

    /// <summary><c>action=cancel</c>, reached by a timeout.</summary>
    Cancel,
}

/// <summary>How a fault ends a run; the expected exit code, cancel and bound follow from it and the phase.</summary>
public enum FaultEnding
{
    /// <summary>Qualys answers an error or something unusable, on every attempt.</summary>
    Refused,

    /// <summary>No answer, or a body that stops: only a time limit ends it.</summary>
    Hang,

    /// <summary>403 / 2012: this user may not make the call (the names check is then left to Qualys).</summary>
    NotPermitted,

    /// <summary>Qualys refuses the option profile by name (1905 option_title).</summary>
    RefusedName,

    Sigint,

    Sigterm,
}

/// <summary>What a fault gets: the request, the answer it would have had, the clock, the run's signal.</summary>
internal sealed class FaultContext(HttpContext http, Func<Reply> normal, ChaosClock clock, Action<PosixSignal> raise)
{
    public HttpContext Http { get; } = http;

    public Reply Normal => normal();

    public ChaosClock Clock { get; } = clock;

    public void Raise(PosixSignal signal) => raise(signal);

    public Task WriteAsync(Reply reply) => WriteAsync(reply, reply.Body.Length);

    /// <summary>Writes the headers (with <paramref name="contentLength"/>) and the body.</summary>
    public async Task WriteAsync(Reply reply, long contentLength)
    {
        var response = Http.Response;
        response.StatusCode = reply.Status;
        response.ContentType = reply.ContentType;
        foreach (var (name, value) in reply.Headers)
        {
            response.Headers[name] = value;
        }

        response.ContentLength = contentLength;
        await response.Body.WriteAsync(reply.Body, Http.RequestAborted);
    }

    /// <summary>Announces the whole body, sends the first half, then breaks or stalls.</summary>
    public async Task HalfThenAsync(bool stall)
    {
        var reply = Normal;
        await WriteAsync(reply with { Body = reply.Body[..(reply.Body.Length / 2)] }, reply.Body.Length);
        await Http.Response.Body.FlushAsync(Http.RequestAborted);
        if (stall)
        {
            await Clock.PassUntilAbandonedAsync(Http.RequestAborted);
        }

        Http.Abort();
    }
}

/// <summary>A fault of the matrix: one line each.</summary>
internal sealed record Fault(string Name, FaultEnding Ending, Func<FaultContext, Task> Act)
{
    /// <summary>The phases it applies to; null: every phase.</summary>
    public IReadOnlyList<Phase>? Phases { get; init; }

    /// <summary>The fake carries the request out before the fault spoils its answer (a launch then creates the scan).</summary>
    public bool Processes { get; init; }
}

/// <summary>
/// Every fault kind of the matrix. A new fault is one line here; each runs in every phase it names (all by default)
/// and its expected ending comes from <see cref="Fault.Ending"/> (see <see cref="ChaosExpectation"/>).
/// </summary>
internal static class Faults
{
    /// <summary>Truncation points: byte offsets, fractions of the body, and offsets from its end (negative).</summary>
    private static readonly double[] Cuts = [0, 1, 2, 10, 0.25, 0.5, 0.75, -2, -1];

    /// <summary>Every SIMPLE_RETURN error code of the Qualys API reference, with the HTTP status each comes with.</summary>
    private static readonly (int Code, int Status, string Text)[] SimpleReturnCodes =
    [
        (1901, 400, "Unrecognized parameter(s): chaos"),
        (1903, 400, "Missing required parameter(s): option_title"),
        (1904, 400, "Please specify only one of these parameters: option_title, option_id"),
        (1905, 400, "parameter ip has invalid value: 10.0.0.5 (not in the subscription)"),
        (1907, 400, "The following combination of key=value pairs is not supported: action=list"),
        (1908, 400, "Request method (GET or POST) is incompatible with specified parameter(s): action"),
        (1920, 409, "The requested operation is blocked by one or more existing Business Objects"),
        (1922, 400, "Please specify at least one of the following parameters: ip, asset_groups"),
        (1960, 409, "This API cannot be run again until 1 currently running API instance has finished."),
        (1965, 409, "This API cannot be run again for another 30 seconds."),
        (1980, 200, "1000 record limit exceeded. Use URL to get next batch of results."),
        (1981, 202, "Your request is being processed. Please try this same request again later"),
        (999, 500, "Internal error"),
        (1999, 503, "We are performing scheduled maintenance on our System. We apologize for any inconvenience"),
        (2000, 401, "Bad Login/Password"),
        (2001, 200, "This account has expired."),
        (2002, 401, "User account is inactive"),
        (2003, 409, "Registration must be completed before API requests will be served for this account"),
        (2011, 401, "SecureID authentication is required for this account, so API access is blocked"),
        (2012, 403, "User license is not authorized to run this API"),
        (2014, 409, "Too many concurrent login(s)"),
    ];

    public static IReadOnlyList<Fault> All { get; } =
    [
        new("http 500 (999)", FaultEnding.Refused, f => f.WriteAsync(Reply.Xml(QualysBodies.Error(999, "Internal error"), 500))),
        new("http 502 proxy page", FaultEnding.Refused, f => f.WriteAsync(new Reply(502, "text/html", Encoding.UTF8.GetBytes(QualysBodies.ProxyErrorPage())))),
        new("http 503 empty", FaultEnding.Refused, f => f.WriteAsync(new Reply(503, "text/plain", []))),
        new("maintenance page (503 html)", FaultEnding.Refused, f => f.WriteAsync(new Reply(503, "text/html", Encoding.UTF8.GetBytes(QualysBodies.MaintenancePage())))),
        new("maintenance page (200 html)", FaultEnding.Refused, f => f.WriteAsync(new Reply(200, "text/html", Encoding.UTF8.GetBytes(QualysBodies.MaintenancePage())))),
        new("reset mid-body", FaultEnding.Refused, f => f.HalfThenAsync(stall: false)) { Processes = true },
        new("hang before headers", FaultEnding.Hang, f => f.Clock.PassUntilAbandonedAsync(f.Http.RequestAborted)),
        new("stall mid-body", FaultEnding.Hang, f => f.HalfThenAsync(stall: true)) { Processes = true },
        .. Cuts.Select(cut => new Fault($"truncated at {Describe(cut)}", FaultEnding.Refused, f => f.WriteAsync(Cut(f.Normal, cut))) { Processes = true }),
        new("malformed body", FaultEnding.Refused, f => f.WriteAsync(Malformed(f.Normal))) { Processes = true },
        new("wrong content type", FaultEnding.Refused, f => f.WriteAsync(WrongContentType(f.Normal))) { Processes = true },
        new("corrupt gzip", FaultEnding.Refused, f => f.WriteAsync(Gzip(f.Normal, corrupt: true))) { Processes = true },
        new("truncated gzip", FaultEnding.Refused, f => f.WriteAsync(Gzip(f.Normal, corrupt: false))) { Processes = true },
        new("QPS INVALID_CREDENTIALS on 200", FaultEnding.Refused, f => f.WriteAsync(Reply.Xml(QualysBodies.QpsError("INVALID_CREDENTIALS", "Authentication failed", "Verify both, user and password credentials.")))),
        .. SimpleReturnCodes.Select(c => new Fault(
            c.Code is 1960 or 1965 ? $"409/{c.Code} storm that never ends" : $"SIMPLE_RETURN {c.Code} (HTTP {c.Status})",
            c.Code == 2012 ? FaultEnding.NotPermitted : FaultEnding.Refused,
            f => f.WriteAsync(Reply.Xml(c.Status >= 400 ? QualysBodies.Error(c.Code, c.Text) : QualysBodies.Prolog + QualysBodies.Error(c.Code, c.Text), c.Status) with
            {
                Headers = c.Code == 1965 ? [("X-RateLimit-ToWait-Sec", "30"), ("X-RateLimit-Remaining", "0")] : [],
            }))),
        new("1905 option_title refused", FaultEnding.RefusedName, f => f.WriteAsync(Reply.Xml(QualysBodies.Error(1905, "parameter option_title has invalid value: Initial Options"), 400)))
        {
            Phases = [Phase.Launch],
        },
        new("SIGINT", FaultEnding.Sigint, f => Signal(f, PosixSignal.SIGINT)) { Processes = true, Phases = [Phase.Connection, Phase.Ec2, Phase.Names, Phase.Launch, Phase.Poll, Phase.Fetch] },
        new("SIGTERM", FaultEnding.Sigterm, f => Signal(f, PosixSignal.SIGTERM)) { Processes = true, Phases = [Phase.Connection, Phase.Ec2, Phase.Names, Phase.Launch, Phase.Poll, Phase.Fetch] },
    ];

    private static string Describe(double cut) => cut switch
    {
        < 0 => $"length{cut.ToString(CultureInfo.InvariantCulture)}",
        > 0 and < 1 => $"{(cut * 100).ToString(CultureInfo.InvariantCulture)}%",
        _ => $"byte {cut.ToString(CultureInfo.InvariantCulture)}",
    };

    /// <summary>A complete HTTP answer whose body stops early (its Content-Length says so too).</summary>
    private static Reply Cut(Reply reply, double cut)
    {
        var length = reply.Body.Length;
        var keep = cut switch
        {
            < 0 => length + (int)cut,
            > 0 and < 1 => (int)(length * cut),
            _ => (int)cut,
        };
        return reply with { Body = reply.Body[..Math.Clamp(keep, 0, length - 1)] };
    }

    private static Reply Malformed(Reply reply) => reply.ContentType.Contains("json", StringComparison.Ordinal)
        ? reply with { Body = Encoding.UTF8.GetBytes("[{\"scan_report_template_title\":\"Scan Results\"},{\"reference\":@@@ ,,]") }
        : reply with { Body = Encoding.UTF8.GetBytes(QualysBodies.Prolog + "<SIMPLE_RETURN><RESPONSE><TEXT>half</RESP&&&<<>") };

    private static Reply WrongContentType(Reply reply) => reply.ContentType.Contains("json", StringComparison.Ordinal)
        ? reply with { ContentType = "text/plain" }
        : new Reply(200, "application/json", Encoding.UTF8.GetBytes("{\"responseCode\":\"SUCCESS\",\"data\":[]}"));

    private static Reply Gzip(Reply reply, bool corrupt)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(reply.Body);
        }

        var bytes = buffer.ToArray();
        if (corrupt)
        {
            for (var i = bytes.Length / 2; i < Math.Min(bytes.Length / 2 + 16, bytes.Length - 8); i++)
            {
                bytes[i] ^= 0xA5;
            }
        }
        else
        {
            bytes = bytes[..(bytes.Length / 2)];
        }

        return reply with { Body = bytes, Headers = [.. reply.Headers, ("Content-Encoding", "gzip")] };
    }

    private static Task Signal(FaultContext f, PosixSignal signal)
    {
        f.Raise(signal);
        return f.WriteAsync(f.Normal);
    }
}
