using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace ScanGate.Emulator;

internal sealed partial class Handlers
{
    private const int FlushThreshold = 64 * 1024;

    /// <summary>
    /// <c>action=fetch</c>: the JSON array, one element per line, streamed element by element. Generated detections
    /// are produced on the fly, so memory does not grow with the number of detections.
    /// </summary>
    private async Task FetchAsync(Req req)
    {
        var scanRef = req.Get("scan_ref");
        if (string.IsNullOrEmpty(scanRef))
        {
            await Error(req, 400, "1903", "Missing required parameter(s): scan_ref").ConfigureAwait(false);
            return;
        }

        var format = req.Get("output_format") ?? "csv";
        if (format is not ("json" or "json_extended"))
        {
            await Error(req, 400, "1905", $"parameter output_format has invalid value: {format} (the emulator serves json and json_extended)").ConfigureAwait(false);
            return;
        }

        if (req.Get("mode") is { } mode && mode is not ("brief" or "extended"))
        {
            await Error(req, 400, "1905", $"parameter mode has invalid value: {mode} (expected brief or extended)").ConfigureAwait(false);
            return;
        }

        List<IpRange>? ipFilter = null;
        if (req.Get("ips") is { } ipsText && !IpRange.TryParseList(ipsText, out ipFilter, out var badIp))
        {
            await Error(req, 400, "1905", $"parameter ips has invalid value: {badIp} (Invalid IP.)").ConfigureAwait(false);
            return;
        }

        var scan = FindScan(scanRef);
        if (scan is null)
        {
            await ScanNotFound(req, scanRef).ConfigureAwait(false);
            return;
        }

        ScanStatus status;
        lock (state.Sync)
        {
            status = ScanMachine.Evaluate(scan, Scenario.Timings, Now);
        }

        if (status.State is not ("Finished" or "Canceled"))
        {
            await Error(req, 400, "1905", $"parameter scan_ref has invalid value: {scanRef} (scan results are not available: the scan is {status.State})").ConfigureAwait(false);
            return;
        }

        var http = req.Http;
        http.Response.StatusCode = 200;
        http.Response.ContentType = Scenario.Subscription.FetchContentType;
        var extended = format == "json_extended";
        var buffer = new ArrayBufferWriter<byte>(FlushThreshold * 2);
        using var json = new Utf8JsonWriter(buffer, JsonOptions);
        var first = true;
        var body = http.Response.Body;
        var ct = http.RequestAborted;

        async Task Element(Action<Utf8JsonWriter> write, bool patchInvalidUtf8 = false)
        {
            buffer.Write(first ? "["u8 : ",\n"u8);
            first = false;
            json.Reset(buffer);
            write(json);
            json.Flush();
            if (patchInvalidUtf8)
            {
                RowTamper.PatchInvalidUtf8(buffer);
            }

            if (buffer.WrittenCount >= FlushThreshold)
            {
                await body.WriteAsync(buffer.WrittenMemory, ct).ConfigureAwait(false);
                buffer.ResetWrittenCount();
            }
        }

        // Incomplete-result shapes (fault kinds result_*) for the fail-closed tests of the client.
        var empty = req.Fault("result_empty") is not null;
        var tamper = RowTamper.From(req);
        var alive = scan.AliveHosts.Where(h => ipFilter is null || ipFilter.Any(r => IpRange.TryParseAddress(h.Identity.Ip, out var ip) && r.Contains(ip))).ToList();
        if (extended)
        {
            if (req.Fault("result_no_header") is null)
            {
                await Element(w => WriteHeader(w, req.User!)).ConfigureAwait(false);
            }

            if (req.Fault("result_no_summary") is null)
            {
                var shownStatus = req.Fault("result_status")?.State ?? status.State;
                var shownRef = req.Fault("result_other_reference") is { } other ? other.Message ?? OtherReference(scan.Ref) : scan.Ref;
                await Element(w => WriteSummary(w, scan, status, shownStatus, shownRef)).ConfigureAwait(false);
            }
        }

        if (status.State == "Finished" && !empty)
        {
            foreach (var scanned in alive)
            {
                var hasVulns = HostDetections.HasVulns(scanned, scan, state.KnowledgeBase);
                foreach (var detection in HostDetections.For(scanned, scan, state.KnowledgeBase))
                {
                    if (tamper is not null)
                    {
                        // Only the first detection row is damaged; the placeholder becomes invalid UTF-8 bytes.
                        var row = tamper;
                        tamper = null;
                        await Element(w => WriteDetection(w, scanned.Identity, scanned.Host.Os, detection, hasVulns, row), row.InvalidUtf8 is not null).ConfigureAwait(false);
                        continue;
                    }

                    await Element(w => WriteDetection(w, scanned.Identity, scanned.Host.Os, detection, hasVulns, null)).ConfigureAwait(false);
                }
            }
        }

        if (extended && !empty)
        {
            var notAlive = NotAlive(scan);
            if (status.State == "Canceled")
            {
                await Element(w => Pair(w, "host_not_scanned,_scan_canceled_by_user_ip_", string.Join(",", scan.Target))).ConfigureAwait(false);
            }
            else if (notAlive.Count > 0)
            {
                await Element(w => Pair(w, "hosts_not_scanned_host_not_alive_ip", string.Join(",", notAlive))).ConfigureAwait(false);
            }

            if (req.Fault("result_not_scanned") is { } notScanned)
            {
                // Names a target host: the first scanned host (its NetBIOS name for the *_netbios keys), else the first target IP.
                var named = alive.FirstOrDefault() ?? scan.AliveHosts.FirstOrDefault();
                var value = named is null ? IpRange.Format(scan.Target[0].First)
                    : notScanned.Key!.EndsWith("_netbios", StringComparison.Ordinal) && named.Identity.Netbios is { } nb ? nb : named.Identity.Ip;
                await Element(w => Pair(w, notScanned.Key!, value)).ConfigureAwait(false);
            }

            await Element(w => Pair(w, "target_distribution_across_scanner_appliances", $"{scan.ScannerName} : {string.Join(",", scan.Target)}")).ConfigureAwait(false);
        }

        buffer.Write(first ? "[]\n"u8 : "]\n"u8);
        await body.WriteAsync(buffer.WrittenMemory, ct).ConfigureAwait(false);
        await body.FlushAsync(ct).ConfigureAwait(false);
    }

    // Relaxed escaping: KB text keeps its HTML as the real API sends it (still valid JSON).
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Another scan's reference of the same shape: the sequence digits changed.</summary>
    private static string OtherReference(string scanRef)
    {
        var dot = scanRef.LastIndexOf('.');
        var seq = long.Parse(scanRef[(dot + 1)..], CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture, $"{scanRef[..(dot + 1)]}{(seq + 1) % 100000:D5}");
    }

    private static void Pair(Utf8JsonWriter w, string key, string value)
    {
        w.WriteStartObject();
        w.WriteString(key, value);
        w.WriteEndObject();
    }

    /// <summary>Target ranges minus the alive scenario hosts, as ranges.</summary>
    private static List<IpRange> NotAlive(ScanRecord scan)
    {
        var alive = scan.AliveHosts.Select(h => IpRange.TryParseAddress(h.Identity.Ip, out var ip) ? ip : 0).Order().ToList();
        var result = new List<IpRange>();
        foreach (var range in scan.Target)
        {
            long start = range.First;
            foreach (var ip in alive.Where(range.Contains))
            {
                if (ip > start)
                {
                    result.Add(new IpRange((uint)start, ip - 1));
                }

                start = (long)ip + 1;
            }

            if (start <= range.Last)
            {
                result.Add(new IpRange((uint)start, range.Last));
            }
        }

        return result.Where(r => r.First <= r.Last).ToList();
    }

    private void WriteHeader(Utf8JsonWriter w, string user)
    {
        var u = Scenario.Users.First(x => x.Username == user);
        w.WriteStartObject();
        w.WriteString("username", u.Username);
        w.WriteString("city", "Foster City");
        w.WriteString("zip", "94404");
        w.WriteString("name", u.Name);
        w.WriteString("add1", "919 E Hillsdale Blvd");
        w.WriteString("country", "United States of America");
        w.WriteString("company", Scenario.Subscription.Company);
        w.WriteString("state", "California");
        w.WriteString("scan_report_template_title", "Scan Results");
        w.WriteString("result_date", FetchDate(Now));
        w.WriteString("role", u.Role);
        w.WriteString("add2", "");
        w.WriteEndObject();
    }

    private void WriteSummary(Utf8JsonWriter w, ScanRecord scan, ScanStatus status, string shownStatus, string shownRef)
    {
        var scanner = scan.ScannerName == "External"
            ? "External"
            : $"{scan.ScannerName} (Scanner {Scenario.Subscription.ScannerVersion}, Vulnerability Signatures {Scenario.Subscription.VulnsigsVersion})";
        w.WriteStartObject();
        w.WriteString("status", shownStatus);
        w.WriteString("scanner_appliance", scanner);
        w.WriteString("network", scan.NetworkName);
        w.WriteString("reference", shownRef);
        w.WriteString("ips", scan.TargetText);
        w.WriteString("launch_date", FetchDate(scan.Launched));
        w.WriteString("option_profile", scan.OptionProfile);
        w.WriteString("total_hosts", scan.Target.Sum(r => r.Count).ToString(CultureInfo.InvariantCulture));
        w.WriteString("scan_title", scan.Title);
        w.WriteString("duration", status.Duration);
        w.WriteString("excluded_ips", "");
        w.WriteNull("asset_groups");
        w.WriteString("type", "API");
        w.WriteString("active_hosts", scan.AliveHosts.Count.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
    }

    private static void WriteDetection(Utf8JsonWriter w, HostIdentity host, string? os, FoundDetection d, bool hostHasVulns, RowTamper? tamper)
    {
        var kb = d.Kb;
        var t = new RowWriter(w, tamper);
        w.WriteStartObject();
        t.String("protocol", d.Port is null ? "" : d.Protocol);
        t.Number("qid", kb.Qid);
        t.String("results", d.Results ?? "");
        t.String("solution", kb.Solution);
        t.String("ip_status", hostHasVulns ? "host scanned, found vuln" : "host scanned");
        t.String("port", d.Port ?? "");
        t.String("category", kb.Category);
        t.String("severity", kb.Severity.ToString(CultureInfo.InvariantCulture));
        t.String("title", kb.Title);
        t.String("instance", null);
        t.String("dns", host.Dns);
        t.String("ip", host.Ip);
        t.String("type", kb.FetchType(d.TypeOverride));
        t.String("vendor_reference", kb.VendorReference);
        t.String("cve_id", kb.Cves.Length == 0 ? null : string.Join(", ", kb.Cves));
        t.String("ssl", d.Ssl ? "yes" : "no");
        t.String("netbios", host.Netbios);
        t.String("associated_malware", kb.AssociatedMalware);
        t.String("pci_vuln", kb.Pci ? "yes" : "no");
        t.String("impact", kb.Impact);
        t.String("fqdn", "");
        t.String("bugtraq_id", kb.Bugtraq.Count == 0 ? null : string.Join(", ", kb.Bugtraq));
        t.String("threat", kb.Threat);
        t.String("os", os);
        t.String("exploitability", kb.Exploitability);
        t.String("cvss_base", Score(kb.CvssBase, kb.CvssVector));
        t.String("cvss_temporal", Score(kb.CvssTemporal, null));
        t.String("cvss3_base", Score(kb.Cvss3Base, kb.Cvss3Vector));
        t.String("cvss3_temporal", Score(kb.Cvss3Temporal, null));
        w.WriteEndObject();
    }

    private static string? Score(double? score, string? vector) =>
        score is not { } s ? null
        : vector is null ? s.ToString("0.0", CultureInfo.InvariantCulture)
        : $"{s.ToString("0.0", CultureInfo.InvariantCulture)} ({vector})";

    private static string FetchDate(DateTimeOffset t) => t.UtcDateTime.ToString("MM/dd/yyyy HH:mm:ss", CultureInfo.InvariantCulture);
}

/// <summary>How the first detection row of a fetch is damaged (fault kinds result_missing_field, result_duplicate_key, result_invalid_utf8).</summary>
internal sealed class RowTamper
{
    /// <summary>Written into the target field, then its first two bytes become 0xFF 0xFE (never valid UTF-8).</summary>
    private static readonly byte[] Placeholder = "@@INVALID-UTF8@@"u8.ToArray();

    public HashSet<string> Missing { get; init; } = new(StringComparer.Ordinal);
    public string? Duplicate { get; init; }
    public string? InvalidUtf8 { get; init; }

    public static string PlaceholderText => Encoding.ASCII.GetString(Placeholder);

    public static RowTamper? From(Req req)
    {
        var missing = req.Fault("result_missing_field");
        var duplicate = req.Fault("result_duplicate_key");
        var invalid = req.Fault("result_invalid_utf8");
        if (missing is null && duplicate is null && invalid is null)
        {
            return null;
        }

        return new RowTamper
        {
            Missing = missing is null ? new(StringComparer.Ordinal) : new((missing.Field ?? "qid").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal),
            Duplicate = duplicate is null ? null : duplicate.Field ?? "severity",
            InvalidUtf8 = invalid is null ? null : invalid.Field ?? "threat",
        };
    }

    public static void PatchInvalidUtf8(ArrayBufferWriter<byte> buffer)
    {
        var span = MemoryMarshal.AsMemory(buffer.WrittenMemory).Span;
        var at = span.LastIndexOf(Placeholder);
        if (at >= 0)
        {
            span[at] = 0xFF;
            span[at + 1] = 0xFE;
        }
    }

    /// <summary>A value that differs from <paramref name="value"/>: a severity flips between 1 and 5.</summary>
    public static string Different(string? value) => value switch
    {
        "1" => "5",
        "2" or "3" or "4" or "5" => "1",
        _ => "duplicate",
    };
}

/// <summary>Writes a detection row's fields, applying a <see cref="RowTamper"/> when there is one.</summary>
internal readonly struct RowWriter(Utf8JsonWriter w, RowTamper? tamper)
{
    public void String(string key, string? value)
    {
        if (tamper is not null)
        {
            if (tamper.Missing.Contains(key))
            {
                return;
            }

            if (tamper.InvalidUtf8 == key)
            {
                value = (value ?? "") + " " + RowTamper.PlaceholderText;
            }
        }

        if (value is null)
        {
            w.WriteNull(key);
        }
        else
        {
            w.WriteString(key, value);
        }

        if (tamper?.Duplicate == key)
        {
            w.WriteString(key, RowTamper.Different(value));
        }
    }

    public void Number(string key, long value)
    {
        if (tamper?.Missing.Contains(key) == true)
        {
            return;
        }

        w.WriteNumber(key, value);
        if (tamper?.Duplicate == key)
        {
            w.WriteNumber(key, value + 1);
        }
    }
}
