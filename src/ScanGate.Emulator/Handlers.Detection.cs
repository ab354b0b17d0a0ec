using System.Globalization;
using System.Text;

namespace ScanGate.Emulator;

internal sealed partial class Handlers
{
    private static readonly string[] DetectionStatuses = ["New", "Active", "Re-Opened", "Fixed"];

    /// <summary>Host detection list: the latest status per host × QID × port across this host's processed scans.</summary>
    private async Task HostDetectionAsync(Req req)
    {
        if (req.Get("action") != "list")
        {
            await MissingAction(req, "list").ConfigureAwait(false);
            return;
        }

        List<IpRange>? ipFilter = null;
        if (req.Get("ips") is { } ips && !IpRange.TryParseList(ips, out ipFilter, out var badIp))
        {
            await Error(req, 400, "1905", $"parameter ips has invalid value: {badIp} (Invalid IP.)").ConfigureAwait(false);
            return;
        }

        List<(long From, long To)>? idFilter = null, qidFilter = null;
        if (req.Get("ids") is { } ids && !TryParseIdRanges(ids, out idFilter, out var badId))
        {
            await Error(req, 400, "1905", $"parameter ids has invalid value: {badId} (neither a positive integer nor a range: {badId})").ConfigureAwait(false);
            return;
        }

        if (req.Get("qids") is { } qids && !TryParseIdRanges(qids, out qidFilter, out var badQid))
        {
            await Error(req, 400, "1905", $"parameter qids has invalid value: {badQid} (neither a positive integer nor a range: {badQid})").ConfigureAwait(false);
            return;
        }

        var statuses = (req.Get("status") ?? "New,Active,Re-Opened").Split(',', StringSplitOptions.TrimEntries);
        if (statuses.FirstOrDefault(s => !DetectionStatuses.Contains(s, StringComparer.Ordinal)) is { } badStatus)
        {
            await Error(req, 400, "1905", $"parameter status has invalid value: {badStatus} (expected New, Active, Re-Opened, Fixed)").ConfigureAwait(false);
            return;
        }

        var severities = req.Get("severities")?.Split(',', StringSplitOptions.TrimEntries);
        if (severities?.FirstOrDefault(s => s is not ("1" or "2" or "3" or "4" or "5")) is { } badSeverity)
        {
            await Error(req, 400, "1905", $"parameter severities has invalid value: {badSeverity} (expected 1 to 5)").ConfigureAwait(false);
            return;
        }

        if (!TryLong(req, "truncation_limit", out var limitValue) || !TryLong(req, "id_min", out var idMin))
        {
            var name = new[] { "truncation_limit", "id_min" }.First(n => !TryLong(req, n, out _));
            await Error(req, 400, "1905", $"parameter {name} has invalid value: {req.Get(name)} (not a positive integer)").ConfigureAwait(false);
            return;
        }

        DateTimeOffset? scannedSince = null;
        if (req.Get("vm_scan_since") is { } sinceText)
        {
            if (!TryParseQualysDate(sinceText, out var since))
            {
                await Error(req, 400, "1905", $"parameter vm_scan_since has invalid value: {sinceText} (expected YYYY-MM-DD[THH:MM:SSZ])").ConfigureAwait(false);
                return;
            }

            scannedSince = since;
        }

        var limit = limitValue ?? 1000;
        var showIgs = req.Flag("show_igs");
        var vulnType = req.Get("include_vuln_type");
        var showResults = req.Get("show_results") != "0";

        // Processed scans per host, oldest first.
        var now = Now;
        var history = new SortedDictionary<long, (ScenarioHost Host, List<(ScanRecord Scan, int Number, DateTimeOffset At)> Scans)>();
        lock (state.Sync)
        {
            foreach (var scan in state.Scans.Where(s => ScanMachine.IsProcessed(s, Scenario.Timings, now)).OrderBy(s => s.Launched))
            {
                foreach (var (host, number) in scan.AliveHosts)
                {
                    var hostId = 1_000_000L + Scenario.Hosts.IndexOf(host);
                    if (!history.TryGetValue(hostId, out var entry))
                    {
                        entry = (host, []);
                        history[hostId] = entry;
                    }

                    var t = Scenario.Timings;
                    entry.Scans.Add((scan, number, scan.Launched.AddSeconds(t.Submitted + t.Queued + t.Running)));
                }
            }
        }

        var http = req.Http;
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/xml";
        var sb = new StringBuilder(Xml.Prolog);
        sb.Append(Xml.Doctype("HOST_LIST_VM_DETECTION_OUTPUT", req.BaseUrl, "/api/2.0/fo/asset/host/vm/detection/dtd/output.dtd"))
            .Append("<HOST_LIST_VM_DETECTION_OUTPUT>\n  <RESPONSE>\n    <DATETIME>").Append(Xml.Time(now)).Append("</DATETIME>\n");
        var hostCount = 0;
        long? next = null;
        foreach (var (hostId, (host, scans)) in history)
        {
            if ((idMin is { } min && hostId < min) || (idFilter is not null && !idFilter.Any(r => hostId >= r.From && hostId <= r.To))
                || (ipFilter is not null && !(IpRange.TryParseAddress(host.Ip, out var ip) && ipFilter.Any(r => r.Contains(ip))))
                || (scannedSince is { } sinceAt && scans[^1].At < sinceAt))
            {
                continue;
            }

            var detections = Track(host, scans)
                .Where(d => statuses.Contains(d.Status, StringComparer.Ordinal))
                .Where(d => showIgs || !d.Kb.IsIg)
                .Where(d => vulnType is null || (vulnType == "confirmed" ? d.Type == "Confirmed" : vulnType != "potential" || d.Type == "Potential"))
                .Where(d => severities is null || severities.Contains(d.Kb.Severity.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal))
                .Where(d => qidFilter is null || qidFilter.Any(r => d.Kb.Qid >= r.From && d.Kb.Qid <= r.To))
                .ToList();
            if (detections.Count == 0)
            {
                continue;
            }

            if (hostCount == limit)
            {
                next = hostId;
                break;
            }

            if (hostCount++ == 0)
            {
                sb.Append("    <HOST_LIST>\n");
            }

            var last = scans[^1];
            sb.Append("      <HOST>\n        <ID>").Append(Num(hostId)).Append("</ID>\n        <IP>").Append(host.Ip).Append("</IP>\n")
                .Append("        <TRACKING_METHOD>IP</TRACKING_METHOD>\n");
            if (host.Os is not null)
            {
                sb.Append("        <OS>").Append(Xml.CData(host.Os)).Append("</OS>\n");
            }

            if (host.Dns is not null)
            {
                sb.Append("        <DNS>").Append(Xml.CData(host.Dns)).Append("</DNS>\n");
            }

            if (host.Netbios is not null)
            {
                sb.Append("        <NETBIOS>").Append(Xml.CData(host.Netbios)).Append("</NETBIOS>\n");
            }

            sb.Append("        <LAST_SCAN_DATETIME>").Append(Xml.Time(last.At)).Append("</LAST_SCAN_DATETIME>\n")
                .Append("        <LAST_VM_SCANNED_DATE>").Append(Xml.Time(last.At)).Append("</LAST_VM_SCANNED_DATE>\n")
                .Append("        <LAST_VM_SCANNED_DURATION>").Append(((int)Scenario.Timings.Running).ToString(CultureInfo.InvariantCulture)).Append("</LAST_VM_SCANNED_DURATION>\n")
                .Append("        <DETECTION_LIST>\n");
            foreach (var d in detections)
            {
                sb.Append("          <DETECTION>\n            <QID>").Append(Num(d.Kb.Qid)).Append("</QID>\n            <TYPE>").Append(d.Type).Append("</TYPE>\n")
                    .Append("            <SEVERITY>").Append(d.Kb.Severity).Append("</SEVERITY>\n");
                if (!string.IsNullOrEmpty(d.Port))
                {
                    sb.Append("            <PORT>").Append(Xml.Escape(d.Port)).Append("</PORT>\n            <PROTOCOL>").Append(Xml.Escape(d.Protocol)).Append("</PROTOCOL>\n");
                }

                sb.Append("            <SSL>").Append(d.Ssl ? '1' : '0').Append("</SSL>\n");
                if (showResults && d.Results is not null)
                {
                    sb.Append("            <RESULTS>").Append(Xml.CData(d.Results)).Append("</RESULTS>\n");
                }

                sb.Append("            <STATUS>").Append(d.Status).Append("</STATUS>\n")
                    .Append("            <FIRST_FOUND_DATETIME>").Append(Xml.Time(d.FirstFound)).Append("</FIRST_FOUND_DATETIME>\n")
                    .Append("            <LAST_FOUND_DATETIME>").Append(Xml.Time(d.LastFound)).Append("</LAST_FOUND_DATETIME>\n")
                    .Append("            <TIMES_FOUND>").Append(d.TimesFound).Append("</TIMES_FOUND>\n")
                    .Append("            <LAST_TEST_DATETIME>").Append(Xml.Time(last.At)).Append("</LAST_TEST_DATETIME>\n")
                    .Append("            <LAST_UPDATE_DATETIME>").Append(Xml.Time(last.At)).Append("</LAST_UPDATE_DATETIME>\n");
                if (d.LastFixed is { } fixedAt)
                {
                    sb.Append("            <LAST_FIXED_DATETIME>").Append(Xml.Time(fixedAt)).Append("</LAST_FIXED_DATETIME>\n");
                }

                sb.Append("            <IS_IGNORED>0</IS_IGNORED>\n            <IS_DISABLED>0</IS_DISABLED>\n")
                    .Append("            <LAST_PROCESSED_DATETIME>").Append(Xml.Time(last.At)).Append("</LAST_PROCESSED_DATETIME>\n          </DETECTION>\n");
                if (sb.Length > KbFlushChars)
                {
                    await WriteAsync(http, sb).ConfigureAwait(false);
                }
            }

            sb.Append("        </DETECTION_LIST>\n      </HOST>\n");
        }

        if (hostCount > 0)
        {
            sb.Append("    </HOST_LIST>\n");
        }

        if (next is { } nextId)
        {
            AppendTruncationWarning(sb, req, limit, nextId);
        }

        sb.Append("  </RESPONSE>\n</HOST_LIST_VM_DETECTION_OUTPUT>\n");
        await WriteAsync(http, sb).ConfigureAwait(false);
    }

    private sealed record TrackedDetection(KbEntry Kb, string Type, string? Port, string Protocol, bool Ssl, string? Results, string Status,
        DateTimeOffset FirstFound, DateTimeOffset LastFound, int TimesFound, DateTimeOffset? LastFixed);

    /// <summary>New: first found by the latest scan; Active: also found by the previous one; Re-Opened: found again after
    /// a scan that did not find it; Fixed: not found by the latest scan.</summary>
    private IEnumerable<TrackedDetection> Track(ScenarioHost host, List<(ScanRecord Scan, int Number, DateTimeOffset At)> scans)
    {
        var seen = new Dictionary<(long Qid, string? Port, int Instance), (FoundDetection D, DateTimeOffset First, DateTimeOffset Last, int Times, int LastIndex, DateTimeOffset? Fixed, bool Gap)>();
        for (var i = 0; i < scans.Count; i++)
        {
            var found = HostDetections.For(host, scans[i].Number, state.KnowledgeBase).ToList();
            var keys = new HashSet<(long, string?, int)>();
            foreach (var d in found)
            {
                var key = (d.Kb.Qid, d.Port, d.Instance);
                keys.Add(key);
                if (seen.TryGetValue(key, out var prior))
                {
                    var gap = prior.LastIndex < i - 1;
                    seen[key] = (d, prior.First, scans[i].At, prior.Times + 1, i, prior.Fixed, gap);
                }
                else
                {
                    seen[key] = (d, scans[i].At, scans[i].At, 1, i, null, false);
                }
            }

            foreach (var (key, value) in seen.ToList())
            {
                if (!keys.Contains(key) && value.LastIndex == i - 1)
                {
                    seen[key] = value with { Fixed = scans[i].At };
                }
            }
        }

        var latest = scans.Count - 1;
        foreach (var (_, v) in seen)
        {
            var status = v.LastIndex < latest ? "Fixed" : v.Times == 1 ? "New" : v.Gap ? "Re-Opened" : "Active";
            var type = v.D.TypeOverride ?? v.D.Kb.DefaultDetectionType;
            yield return new TrackedDetection(v.D.Kb, type, v.D.Port, v.D.Protocol, v.D.Ssl, v.D.Results, status, v.First, v.Last, v.Times, v.Fixed);
        }
    }
}
