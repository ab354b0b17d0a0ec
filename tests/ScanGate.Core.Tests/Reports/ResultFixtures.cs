using System.Text.Json;

namespace ScanGate.Reports.Tests;

/// <summary>
/// Builds scangate-result.json files by hand, following docs/result-schema.md key by key (the reports' only input).
/// Shared with the browser tests (linked source).
/// </summary>
internal static class ResultFixtures
{
    /// <summary>Markup and script in every scanner text field. If any of these runs, window.__pwned is set or an element is added.</summary>
    public const string Payload =
        "<script>window.__pwned='script'</script><img src=x onerror=\"window.__pwned='img';document.body.appendChild(document.createElement('pwned'))\">"
        + "\"'><svg/onload=window.__pwned='svg'></script><!-- ]]> {{7*7}} ${7*7} [link](javascript:alert(1)) | *bold* @here &amp;";

    public static string SamplePath => Path.Combine(AppContext.BaseDirectory, "Reports", "Fixtures", "sample-result.json");

    /// <summary>A failing result whose findings, scan, exceptions and reasons all carry <see cref="Payload"/>.</summary>
    public static void WritePayload(string path)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        WriteHeader(json, Payload + " title", Payload + " target", "fail", exceptionText: Payload);
        json.WriteStartArray("findings");
        for (var i = 0; i < 6; i++)
        {
            var p = $"{Payload} #{i}";
            WriteFinding(
                json,
                host: "10.0.0." + (5 + (i % 2)) + " " + p,
                qid: 90000 + i,
                title: p + " title",
                severity: 5 - (i % 5),
                potential: i == 4,
                text: p,
                pci: i % 2 == 0,
                exploitable: i % 3 == 0,
                malware: i == 0,
                matched: i < 2 ? ["severity"] : [],
                excluded: i == 5,
                excepted: i == 3 ? p : null);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>A result with <paramref name="count"/> findings over <paramref name="hosts"/> hosts (contiguous per host).</summary>
    public static void WriteLarge(string path, int count, int hosts = 10)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var json = new Utf8JsonWriter(stream);
        WriteHeader(json, "big scan", "10.1.0.0/24", "fail", exceptionText: "bulk");
        json.WriteStartArray("findings");
        var perHost = Math.Max(1, count / hosts);
        for (var i = 0; i < count; i++)
        {
            var severity = 1 + (i % 5);
            WriteFinding(
                json,
                host: "10.1.0." + Math.Min(hosts, 1 + (i / perHost)),
                qid: 10000 + (i % 2500),
                title: "Finding number " + i,
                severity: severity,
                potential: i % 7 == 0,
                text: "Result text of finding " + i + " with some detail about the service banner and version.",
                pci: i % 11 == 0,
                exploitable: i % 13 == 0,
                malware: i % 17 == 0,
                matched: severity >= 4 && i % 7 != 0 ? ["severity"] : [],
                excluded: i % 101 == 0,
                excepted: null,
                port: (i % 65535).ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (i % 1000 == 0)
            {
                json.Flush();
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteHeader(Utf8JsonWriter json, string title, string target, string verdict, string exceptionText)
    {
        json.WriteStartObject();
        json.WriteNumber("schema_version", 1);
        json.WriteStartObject("tool");
        json.WriteString("name", "ScanGate");
        json.WriteString("version", "0.1.0");
        json.WriteEndObject();
        json.WriteString("generated_at", "2026-11-28T10:00:00Z");
        json.WriteString("verdict", verdict);
        json.WriteNumber("exit_code", string.Equals(verdict, "fail", StringComparison.Ordinal) ? 1 : 0);
        json.WriteStartObject("source");
        json.WriteString("kind", "file");
        json.WriteString("path", exceptionText + ".json");
        json.WriteEndObject();
        json.WriteStartObject("scan");
        foreach (var key in new[] { "ref", "id" })
        {
            json.WriteString(key, exceptionText + " " + key);
        }

        json.WriteString("title", title);
        json.WriteString("target", target);
        foreach (var key in new[] { "state", "sub_state", "launch_date", "duration", "type", "status", "option_profile", "scanner_appliance", "network", "ips", "active_hosts", "total_hosts" })
        {
            json.WriteString(key, exceptionText + " " + key);
        }

        json.WriteNull("started_at");
        json.WriteNull("finished_at");
        json.WriteNull("elapsed_seconds");
        json.WriteNull("api_calls");
        json.WriteEndObject();

        json.WriteStartObject("policy");
        json.WriteBoolean("include_potential", false);
        json.WriteStartObject("fail_on");
        json.WriteNumber("severity", 4);
        json.WriteEndObject();
        json.WriteNull("warn_on");
        json.WriteStartObject("exclude");
        json.WriteString("qids", exceptionText);
        json.WriteNull("cves");
        json.WriteEndObject();
        json.WriteString("exceptions_file", exceptionText);
        json.WriteEndObject();

        json.WriteStartObject("criteria");
        json.WriteStartObject("severity");
        json.WriteNumber("configured", 4);
        json.WriteNumber("found", 2);
        json.WriteBoolean("passed", false);
        json.WriteEndObject();
        json.WriteStartObject("cves");
        json.WriteString("configured", exceptionText);
        json.WriteStartArray("found");
        json.WriteStringValue(exceptionText);
        json.WriteEndArray();
        json.WriteBoolean("passed", false);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartObject("warn_criteria");
        json.WriteEndObject();

        json.WriteStartObject("counts");
        json.WriteNumber("rows", 10);
        json.WriteStartObject("confirmed");
        for (var s = 1; s <= 5; s++)
        {
            json.WriteNumber(s.ToString(System.Globalization.CultureInfo.InvariantCulture), s);
        }

        json.WriteEndObject();
        json.WriteStartObject("potential");
        for (var s = 1; s <= 5; s++)
        {
            json.WriteNumber(s.ToString(System.Globalization.CultureInfo.InvariantCulture), 5 - s);
        }

        json.WriteEndObject();
        json.WriteNumber("information_gathered", 3);
        json.WriteNumber("evaluated", 4);
        json.WriteNumber("excluded", 1);
        json.WriteNumber("excepted", 1);
        json.WriteEndObject();

        foreach (var key in new[] { "failure_reasons", "warning_reasons", "warnings" })
        {
            json.WriteStartArray(key);
            json.WriteStringValue(exceptionText + " " + key);
            json.WriteEndArray();
        }

        json.WriteStartArray("exceptions");
        foreach (var status in new[] { "active", "expired" })
        {
            json.WriteStartObject();
            json.WriteString("id", exceptionText + " id");
            json.WriteNumber("qid", 90003);
            json.WriteString("cve", exceptionText + " cve");
            json.WriteStartArray("hosts");
            json.WriteStringValue(exceptionText + " host");
            json.WriteEndArray();
            json.WriteString("reason", exceptionText + " reason");
            json.WriteString("expires", exceptionText + " expires");
            json.WriteString("status", status);
            json.WriteNumber("matched", 1);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteFinding(
        Utf8JsonWriter json,
        string host,
        long qid,
        string title,
        int severity,
        bool potential,
        string text,
        bool pci,
        bool exploitable,
        bool malware,
        string[] matched,
        bool excluded,
        string? excepted,
        string? port = null)
    {
        json.WriteStartObject();
        json.WriteString("host", host);
        json.WriteString("dns", text + " dns");
        json.WriteString("netbios", text + " netbios");
        json.WriteString("os", text + " os");
        json.WriteNumber("qid", qid);
        json.WriteString("title", title);
        json.WriteNumber("severity", severity);
        json.WriteString("type", potential ? "potential" : "confirmed");
        json.WriteString("category", text + " category");
        json.WriteString("port", port ?? text + " port");
        json.WriteString("protocol", "tcp");
        json.WriteStartArray("cves");
        json.WriteStringValue("CVE-2026-" + qid);
        json.WriteStringValue(text + " cve");
        json.WriteEndArray();
        json.WriteNumber("cvss2", 5.0 + (severity / 2.0));
        json.WriteString("cvss2_vector", text + " v2");
        json.WriteNumber("cvss3", Math.Min(10.0, 2.0 * severity - 0.2));
        json.WriteString("cvss3_vector", text + " v3");
        json.WriteBoolean("pci", pci);
        json.WriteBoolean("exploitable", exploitable);
        json.WriteBoolean("malware", malware);
        json.WriteString("bugtraq_id", text + " bugtraq");
        json.WriteString("results", text + " results");
        json.WriteString("solution", text + " solution");
        json.WriteBoolean("evaluated", !potential && !excluded && excepted is null);
        json.WriteStartArray("matched");
        foreach (var m in matched)
        {
            json.WriteStringValue(m);
        }

        json.WriteEndArray();
        json.WriteStartArray("warned");
        json.WriteEndArray();
        if (excluded)
        {
            json.WriteStartObject("excluded");
            json.WriteString("by", "qid");
            json.WriteString("value", text);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("excluded");
        }

        if (excepted is not null)
        {
            json.WriteStartObject("excepted");
            json.WriteString("id", excepted + " id");
            json.WriteString("reason", excepted + " reason");
            json.WriteString("expires", excepted + " expires");
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("excepted");
        }

        json.WriteEndObject();
    }
}
