using System.Buffers;
using System.Globalization;
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
        // Relaxed escaping: KB text keeps its HTML as the real API sends it (still valid JSON).
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var first = true;
        var body = http.Response.Body;
        var ct = http.RequestAborted;

        async Task Element(Action<Utf8JsonWriter> write)
        {
            buffer.Write(first ? "["u8 : ",\n"u8);
            first = false;
            json.Reset(buffer);
            write(json);
            json.Flush();
            if (buffer.WrittenCount >= FlushThreshold)
            {
                await body.WriteAsync(buffer.WrittenMemory, ct).ConfigureAwait(false);
                buffer.ResetWrittenCount();
            }
        }

        var alive = scan.AliveHosts.Where(h => ipFilter is null || ipFilter.Any(r => IpRange.TryParseAddress(h.Host.Ip, out var ip) && r.Contains(ip))).ToList();
        if (extended)
        {
            await Element(w => WriteHeader(w, req.User!)).ConfigureAwait(false);
            await Element(w => WriteSummary(w, scan, status)).ConfigureAwait(false);
        }

        if (status.State == "Finished")
        {
            foreach (var (host, number) in alive)
            {
                var hasVulns = HostDetections.HasVulns(host, number, state.KnowledgeBase);
                foreach (var detection in HostDetections.For(host, number, state.KnowledgeBase))
                {
                    await Element(w => WriteDetection(w, host, detection, hasVulns)).ConfigureAwait(false);
                }
            }
        }

        if (extended)
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

            await Element(w => Pair(w, "target_distribution_across_scanner_appliances", $"{scan.ScannerName} : {string.Join(",", scan.Target)}")).ConfigureAwait(false);
        }

        buffer.Write(first ? "[]\n"u8 : "]\n"u8);
        await body.WriteAsync(buffer.WrittenMemory, ct).ConfigureAwait(false);
        await body.FlushAsync(ct).ConfigureAwait(false);
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
        var alive = scan.AliveHosts.Select(h => IpRange.TryParseAddress(h.Host.Ip, out var ip) ? ip : 0).Order().ToList();
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

    private void WriteSummary(Utf8JsonWriter w, ScanRecord scan, ScanStatus status)
    {
        var scanner = scan.ScannerName == "External"
            ? "External"
            : $"{scan.ScannerName} (Scanner {Scenario.Subscription.ScannerVersion}, Vulnerability Signatures {Scenario.Subscription.VulnsigsVersion})";
        w.WriteStartObject();
        w.WriteString("status", status.State);
        w.WriteString("scanner_appliance", scanner);
        w.WriteString("network", scan.NetworkName);
        w.WriteString("reference", scan.Ref);
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

    private static void WriteDetection(Utf8JsonWriter w, ScenarioHost host, FoundDetection d, bool hostHasVulns)
    {
        var kb = d.Kb;
        w.WriteStartObject();
        w.WriteString("protocol", d.Port is null ? "" : d.Protocol);
        w.WriteNumber("qid", kb.Qid);
        w.WriteString("results", d.Results ?? "");
        w.WriteString("solution", kb.Solution);
        w.WriteString("ip_status", hostHasVulns ? "host scanned, found vuln" : "host scanned");
        w.WriteString("port", d.Port ?? "");
        w.WriteString("category", kb.Category);
        w.WriteString("severity", kb.Severity.ToString(CultureInfo.InvariantCulture));
        w.WriteString("title", kb.Title);
        w.WriteNull("instance");
        StringOrNull(w, "dns", host.Dns);
        w.WriteString("ip", host.Ip);
        w.WriteString("type", kb.FetchType(d.TypeOverride));
        StringOrNull(w, "vendor_reference", kb.VendorReference);
        StringOrNull(w, "cve_id", kb.Cves.Length == 0 ? null : string.Join(", ", kb.Cves));
        w.WriteString("ssl", d.Ssl ? "yes" : "no");
        StringOrNull(w, "netbios", host.Netbios);
        StringOrNull(w, "associated_malware", kb.AssociatedMalware);
        w.WriteString("pci_vuln", kb.Pci ? "yes" : "no");
        w.WriteString("impact", kb.Impact);
        w.WriteString("fqdn", "");
        w.WriteNull("bugtraq_id");
        w.WriteString("threat", kb.Threat);
        StringOrNull(w, "os", host.Os);
        StringOrNull(w, "exploitability", kb.Exploitability);
        StringOrNull(w, "cvss_base", Score(kb.CvssBase, kb.CvssVector));
        StringOrNull(w, "cvss_temporal", Score(kb.CvssTemporal, null));
        StringOrNull(w, "cvss3_base", Score(kb.Cvss3Base, kb.Cvss3Vector));
        StringOrNull(w, "cvss3_temporal", Score(kb.Cvss3Temporal, null));
        w.WriteEndObject();
    }

    private static string? Score(double? score, string? vector) =>
        score is not { } s ? null
        : vector is null ? s.ToString("0.0", CultureInfo.InvariantCulture)
        : $"{s.ToString("0.0", CultureInfo.InvariantCulture)} ({vector})";

    private static void StringOrNull(Utf8JsonWriter w, string key, string? value)
    {
        if (value is null)
        {
            w.WriteNull(key);
        }
        else
        {
            w.WriteString(key, value);
        }
    }

    private static string FetchDate(DateTimeOffset t) => t.UtcDateTime.ToString("MM/dd/yyyy HH:mm:ss", CultureInfo.InvariantCulture);
}
