using System.Text;
using Microsoft.AspNetCore.Http;

namespace ScanGate.Emulator;

/// <summary>One request as the handlers see it: merged query + form parameters, the authenticated user, the base URL.</summary>
internal sealed class Req
{
    public required HttpContext Http { get; init; }
    public required string Path { get; init; }
    public required string Method { get; init; }
    public required Dictionary<string, string> P { get; init; }
    public string? Body { get; init; }
    public required string BaseUrl { get; init; }
    public string? User { get; set; }
    public RecordedRequest? Record { get; set; }

    /// <summary>Delay from <c>slow</c> faults, spent while holding the concurrency slot.</summary>
    public double SlowSeconds { get; set; }

    /// <summary>The fault rules firing on this call; handlers act on the kinds that change an answer's content.</summary>
    public IReadOnlyList<FaultRule> Faults { get; set; } = [];

    public FaultRule? Fault(string kind) => Faults.FirstOrDefault(f => f.Kind == kind);

    /// <summary>The connection was dropped on purpose (reset, truncation, a hang the client gave up on).</summary>
    public bool Aborted { get; set; }

    public string? Get(string name) => P.TryGetValue(name, out var v) ? v : null;

    public bool Has(string name) => P.ContainsKey(name);

    public bool Flag(string name) => Get(name) == "1";

    public bool IsPost => HttpMethods.IsPost(Method);

    public bool WantsJson =>
        Http.Request.Headers.Accept.Any(a => a?.Contains("application/json", StringComparison.OrdinalIgnoreCase) == true);
}

/// <summary>Writes Qualys-shaped responses.</summary>
internal static class Respond
{
    public static async Task Text(HttpContext http, int status, string contentType, string body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = contentType;
        var bytes = Encoding.UTF8.GetBytes(body);
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes, http.RequestAborted).ConfigureAwait(false);
    }

    public static Task XmlText(Req r, int status, string body) => Text(r.Http, status, "application/xml", body);

    /// <summary>Content type of authentication errors as recorded (401/2000 and 200/2001).</summary>
    public const string AuthErrorContentType = "text/xml;charset=UTF-8";

    /// <summary>
    /// A SIMPLE_RETURN as recorded from the real API: HTTP 400 bodies have no XML prolog (401, 200 and the others
    /// do), and none has a trailing comment.
    /// </summary>
    public static Task SimpleReturn(Req r, int status, string? code, string text, IEnumerable<(string Key, string Value)>? items = null,
        DateTimeOffset? now = null, string dtdPath = "/api/2.0/simple_return.dtd", string contentType = "application/xml")
    {
        var sb = new StringBuilder();
        if (status != 400)
        {
            sb.Append(Xml.Prolog);
        }

        sb.Append(Xml.Doctype("SIMPLE_RETURN", r.BaseUrl, dtdPath));
        sb.Append("<SIMPLE_RETURN>\n  <RESPONSE>\n");
        sb.Append("    <DATETIME>").Append(Xml.Time(now ?? DateTimeOffset.UnixEpoch)).Append("</DATETIME>\n");
        if (code is not null)
        {
            sb.Append("    <CODE>").Append(code).Append("</CODE>\n");
        }

        sb.Append("    <TEXT>").Append(Xml.Escape(text)).Append("</TEXT>\n");
        if (items is not null)
        {
            var list = items.ToList();
            if (list.Count > 0)
            {
                sb.Append("    <ITEM_LIST>\n");
                foreach (var (key, value) in list)
                {
                    sb.Append("      <ITEM>\n        <KEY>").Append(Xml.Escape(key)).Append("</KEY>\n        <VALUE>")
                        .Append(Xml.Escape(value)).Append("</VALUE>\n      </ITEM>\n");
                }

                sb.Append("    </ITEM_LIST>\n");
            }
        }

        sb.Append("  </RESPONSE>\n</SIMPLE_RETURN>\n");
        return Text(r.Http, status, contentType, sb.ToString());
    }

    public static string DurationText(int seconds)
    {
        var t = TimeSpan.FromSeconds(seconds);
        var parts = new List<string>();
        if (t.Days > 0 || t.Hours > 0)
        {
            parts.Add($"{(t.Days * 24) + t.Hours} hours");
        }

        if (t.Minutes > 0 || parts.Count > 0)
        {
            parts.Add($"{t.Minutes} minutes");
        }

        return parts.Count == 0 ? $"{t.Seconds} seconds" : string.Join(", ", parts) + $" and {t.Seconds} seconds";
    }
}
