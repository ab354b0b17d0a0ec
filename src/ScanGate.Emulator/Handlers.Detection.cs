using System.Globalization;
using System.Text;

namespace ScanGate.Emulator;

internal sealed partial class Handlers
{
    private static readonly string[] DetectionStatuses = ["New", "Active", "Re-Opened", "Fixed"];

    /// <summary>One host record (Qualys tracks by IP: one per address) and its processed scans, oldest first.</summary>
    private sealed record HostHistory(ScenarioHost Host, HostIdentity Identity, List<HostScan> Scans);

    /// <summary>
    /// One processed scan of a host record. <c>At</c>: when the scanner tested the host (end of Running), for
    /// FIRST/LAST_FOUND, LAST_TEST and LAST_VM_SCANNED_DATE. <c>ProcessedAt</c>: when the results were processed, for
    /// LAST_SCAN_DATETIME and LAST_UPDATE/LAST_PROCESSED_DATETIME (as in the recorded list, which has both).
    /// </summary>
    private sealed record HostScan(ScanRecord Scan, ScannedHost Scanned, DateTimeOffset At, DateTimeOffset ProcessedAt, bool Authenticated);

    /// <summary>
    /// Host detection list: the latest status per host record × QID × port across the host's processed scans, with
    /// the per-HOST and per-DETECTION fields of the real list (qualys-api.md §7, DTD order).
    /// </summary>
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

        List<(long From, long To)>? idFilter = null, qidFilter = null, severityFilter = null;
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

        // Documented forms: "3", "4,5", "1-5", "1,3-5".
        if (req.Get("severities") is { } severities
            && (!TryParseIdRanges(severities, out severityFilter, out var badSeverity) || severityFilter.Any(r => r.From < 1 || r.To > 5)))
        {
            badSeverity = severityFilter?.Where(r => r.From < 1 || r.To > 5).Select(r => r.From == r.To ? Num(r.From) : $"{r.From}-{r.To}").FirstOrDefault() ?? badSeverity;
            await Error(req, 400, "1905", $"parameter severities has invalid value: {badSeverity} (expected severities 1 to 5, as a list or a range such as 1-5)").ConfigureAwait(false);
            return;
        }

        var statuses = (req.Get("status") ?? "New,Active,Re-Opened").Split(',', StringSplitOptions.TrimEntries);
        if (statuses.FirstOrDefault(s => !DetectionStatuses.Contains(s, StringComparer.Ordinal)) is { } badStatus)
        {
            await Error(req, 400, "1905", $"parameter status has invalid value: {badStatus} (expected New, Active, Re-Opened, Fixed)").ConfigureAwait(false);
            return;
        }

        var vulnType = req.Get("include_vuln_type");
        if (vulnType is not (null or "confirmed" or "potential"))
        {
            await Error(req, 400, "1905", $"parameter include_vuln_type has invalid value: {vulnType} (expected confirmed or potential)").ConfigureAwait(false);
            return;
        }

        if (req.Get("output_format") is { } outputFormat && !string.Equals(outputFormat, "XML", StringComparison.OrdinalIgnoreCase))
        {
            await Error(req, 400, "1905", $"parameter output_format has invalid value: {outputFormat} (the emulator serves XML)").ConfigureAwait(false);
            return;
        }

        if (new[] { "truncation_limit", "id_min", "id_max" }.FirstOrDefault(n => !TryLong(req, n, out _)) is { } badNumber)
        {
            await Error(req, 400, "1905", $"parameter {badNumber} has invalid value: {req.Get(badNumber)} (not a positive integer)").ConfigureAwait(false);
            return;
        }

        TryLong(req, "truncation_limit", out var limitValue);
        TryLong(req, "id_min", out var idMin);
        TryLong(req, "id_max", out var idMax);

        DateTimeOffset? scannedSince = null, updatedSince = null;
        foreach (var name in new[] { "vm_scan_since", "detection_updated_since" })
        {
            if (req.Get(name) is { } text)
            {
                if (!TryParseQualysDate(text, out var at))
                {
                    await Error(req, 400, "1905", $"parameter {name} has invalid value: {text} (expected YYYY-MM-DD[THH:MM:SSZ])").ConfigureAwait(false);
                    return;
                }

                if (name == "vm_scan_since")
                {
                    scannedSince = at;
                }
                else
                {
                    updatedSince = at;
                }
            }
        }

        // truncation_limit=0 means no limit, as for the other list APIs.
        var limit = limitValue ?? 1000;
        var showIgs = req.Flag("show_igs");
        var showResults = req.Get("show_results") != "0";
        var includeIgnored = req.Flag("include_ignored");
        var includeDisabled = req.Flag("include_disabled");

        var now = Now;
        var history = History(now);

        var http = req.Http;
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/xml";
        var evaluation = Scenario.Subscription.Evaluation;
        // Recorded DOCTYPE (2020, QG3); both recorded variants keep the /api/2.0 path whatever version was called.
        var sb = Xml.Head(new StringBuilder(), "HOST_LIST_VM_DETECTION_OUTPUT", req.BaseUrl,
            "/api/2.0/fo/asset/host/vm/detection/host_list_vm_detection_output.dtd", evaluation);
        sb.Append("<HOST_LIST_VM_DETECTION_OUTPUT>\n  <RESPONSE>\n    <DATETIME>").Append(Xml.Time(now)).Append("</DATETIME>\n");
        var hostCount = 0;
        long? next = null;
        foreach (var (hostId, record) in history)
        {
            var scans = record.Scans;
            if ((idMin is { } min && hostId < min) || (idMax is { } max && hostId > max)
                || (idFilter is not null && !idFilter.Any(r => hostId >= r.From && hostId <= r.To))
                || (ipFilter is not null && !(IpRange.TryParseAddress(record.Identity.Ip, out var ip) && ipFilter.Any(r => r.Contains(ip))))
                || (scannedSince is { } sinceAt && scans[^1].At < sinceAt))
            {
                continue;
            }

            var detections = Track(scans)
                .Where(d => statuses.Contains(d.Status, StringComparer.Ordinal))
                .Where(d => showIgs || !d.Kb.IsIg)
                .Where(d => vulnType is null || (vulnType == "confirmed" ? d.Type == "Confirmed" : d.Type == "Potential"))
                .Where(d => severityFilter is null || severityFilter.Any(r => d.Kb.Severity >= r.From && d.Kb.Severity <= r.To))
                .Where(d => qidFilter is null || qidFilter.Any(r => d.Kb.Qid >= r.From && d.Kb.Qid <= r.To))
                .Where(d => (includeIgnored || !d.Ignored) && (includeDisabled || !d.Disabled))
                .Where(d => updatedSince is not { } u || d.LastUpdate >= u)
                .ToList();
            if (detections.Count == 0)
            {
                continue;
            }

            if (limit > 0 && hostCount == limit)
            {
                next = hostId;
                break;
            }

            if (hostCount++ == 0)
            {
                sb.Append("    <HOST_LIST>\n");
            }

            AppendHost(sb, hostId, record);
            foreach (var d in detections)
            {
                AppendDetection(sb, d, showResults);
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

        // Host detection lists end with the notice comment, like the other lists.
        Xml.Tail(sb.Append("  </RESPONSE>\n</HOST_LIST_VM_DETECTION_OUTPUT>\n"), evaluation);
        await WriteAsync(http, sb).ConfigureAwait(false);
    }

    /// <summary>Processed scans per host record, ordered by record ID.</summary>
    private SortedDictionary<long, HostHistory> History(DateTimeOffset now)
    {
        var t = Scenario.Timings;
        var history = new SortedDictionary<long, HostHistory>();
        lock (state.Sync)
        {
            foreach (var scan in state.Scans.Where(s => ScanMachine.IsProcessed(s, t, now)).OrderBy(s => s.Launched).ThenBy(s => s.Id))
            {
                var authenticated = Scenario.OptionProfiles.FirstOrDefault(o => o.Title == scan.OptionProfile)?.Authenticated == true;
                foreach (var scanned in scan.AliveHosts)
                {
                    var id = scanned.Identity.RecordId;
                    if (!history.TryGetValue(id, out var record))
                    {
                        record = new HostHistory(scanned.Host, scanned.Identity, []);
                        history[id] = record;
                    }

                    var at = scan.Launched.AddSeconds(t.Submitted + t.Queued + t.Running);
                    var processed = scan.Launched.AddSeconds(t.Submitted + t.Queued + t.Running + t.Loading + t.Processing);
                    record.Scans.Add(new HostScan(scan, scanned, at, processed, authenticated));
                }
            }
        }

        return history;
    }

    private void AppendHost(StringBuilder sb, long hostId, HostHistory record)
    {
        var (host, identity, scans) = (record.Host, record.Identity, record.Scans);
        var last = scans[^1];
        var running = ((int)Scenario.Timings.Running).ToString(CultureInfo.InvariantCulture);
        sb.Append("      <HOST>\n        <ID>").Append(Num(hostId)).Append("</ID>\n        <IP>").Append(identity.Ip).Append("</IP>\n")
            .Append("        <TRACKING_METHOD>").Append(host.TrackingMethod).Append("</TRACKING_METHOD>\n");
        if (host.Os is not null)
        {
            sb.Append("        <OS>").Append(Xml.CData(host.Os)).Append("</OS>\n");
        }

        if (identity.Dns is { } dns)
        {
            // As recorded: DNS one.one.one.one → HOSTNAME one, DOMAIN one.one.one, FQDN one.one.one.one.
            var dot = dns.IndexOf('.', StringComparison.Ordinal);
            sb.Append("        <DNS>").Append(Xml.CData(dns)).Append("</DNS>\n        <DNS_DATA>\n")
                .Append("          <HOSTNAME>").Append(Xml.CData(dot < 0 ? dns : dns[..dot])).Append("</HOSTNAME>\n");
            if (dot > 0)
            {
                sb.Append("          <DOMAIN>").Append(Xml.CData(dns[(dot + 1)..])).Append("</DOMAIN>\n");
            }

            sb.Append("          <FQDN>").Append(Xml.CData(dot < 0 ? "" : dns)).Append("</FQDN>\n        </DNS_DATA>\n");
        }

        if (identity.Netbios is { } netbios)
        {
            sb.Append("        <NETBIOS>").Append(Xml.CData(netbios)).Append("</NETBIOS>\n");
        }

        if (host.Agent)
        {
            sb.Append("        <QG_HOSTID>").Append(QgHostId(identity.RecordId)).Append("</QG_HOSTID>\n");
        }

        sb.Append("        <LAST_SCAN_DATETIME>").Append(Xml.Time(last.ProcessedAt)).Append("</LAST_SCAN_DATETIME>\n")
            .Append("        <LAST_VM_SCANNED_DATE>").Append(Xml.Time(last.At)).Append("</LAST_VM_SCANNED_DATE>\n")
            .Append("        <LAST_VM_SCANNED_DURATION>").Append(running).Append("</LAST_VM_SCANNED_DURATION>\n");
        if (scans.LastOrDefault(s => s.Authenticated) is { } auth)
        {
            sb.Append("        <LAST_VM_AUTH_SCANNED_DATE>").Append(Xml.Time(auth.At)).Append("</LAST_VM_AUTH_SCANNED_DATE>\n")
                .Append("        <LAST_VM_AUTH_SCANNED_DURATION>").Append(running).Append("</LAST_VM_AUTH_SCANNED_DURATION>\n");
        }

        sb.Append("        <DETECTION_LIST>\n");
    }

    private static void AppendDetection(StringBuilder sb, TrackedDetection d, bool showResults)
    {
        const string I = "            ";
        sb.Append("          <DETECTION>\n").Append(I).Append("<QID>").Append(Num(d.Kb.Qid)).Append("</QID>\n")
            .Append(I).Append("<TYPE>").Append(d.Type).Append("</TYPE>\n")
            .Append(I).Append("<SEVERITY>").Append(d.Kb.Severity).Append("</SEVERITY>\n");
        if (!string.IsNullOrEmpty(d.Port))
        {
            sb.Append(I).Append("<PORT>").Append(Xml.Escape(d.Port)).Append("</PORT>\n").Append(I).Append("<PROTOCOL>").Append(Xml.Escape(d.Protocol)).Append("</PROTOCOL>\n");
        }

        sb.Append(I).Append("<SSL>").Append(d.Ssl ? '1' : '0').Append("</SSL>\n");
        if (showResults && d.Results is not null)
        {
            sb.Append(I).Append("<RESULTS>").Append(Xml.CData(d.Results)).Append("</RESULTS>\n");
        }

        sb.Append(I).Append("<STATUS>").Append(d.Status).Append("</STATUS>\n")
            .Append(I).Append("<FIRST_FOUND_DATETIME>").Append(Xml.Time(d.FirstFound)).Append("</FIRST_FOUND_DATETIME>\n")
            .Append(I).Append("<LAST_FOUND_DATETIME>").Append(Xml.Time(d.LastFound)).Append("</LAST_FOUND_DATETIME>\n")
            .Append(I).Append("<TIMES_FOUND>").Append(d.TimesFound).Append("</TIMES_FOUND>\n")
            .Append(I).Append("<LAST_TEST_DATETIME>").Append(Xml.Time(d.LastTest)).Append("</LAST_TEST_DATETIME>\n")
            .Append(I).Append("<LAST_UPDATE_DATETIME>").Append(Xml.Time(d.LastUpdate)).Append("</LAST_UPDATE_DATETIME>\n");
        // Recorded real lists show LAST_FIXED_DATETIME on re-detected items too, not only on Fixed ones.
        if (d.LastFixed is { } fixedAt)
        {
            sb.Append(I).Append("<LAST_FIXED_DATETIME>").Append(Xml.Time(fixedAt)).Append("</LAST_FIXED_DATETIME>\n");
        }

        if (d.FirstReopened is { } firstReopened)
        {
            sb.Append(I).Append("<FIRST_REOPENED_DATETIME>").Append(Xml.Time(firstReopened)).Append("</FIRST_REOPENED_DATETIME>\n")
                .Append(I).Append("<LAST_REOPENED_DATETIME>").Append(Xml.Time(d.LastReopened!.Value)).Append("</LAST_REOPENED_DATETIME>\n")
                .Append(I).Append("<TIMES_REOPENED>").Append(d.TimesReopened).Append("</TIMES_REOPENED>\n");
        }

        sb.Append(I).Append("<IS_IGNORED>").Append(d.Ignored ? '1' : '0').Append("</IS_IGNORED>\n")
            .Append(I).Append("<IS_DISABLED>").Append(d.Disabled ? '1' : '0').Append("</IS_DISABLED>\n")
            .Append(I).Append("<LAST_PROCESSED_DATETIME>").Append(Xml.Time(d.LastUpdate)).Append("</LAST_PROCESSED_DATETIME>\n          </DETECTION>\n");
    }

    /// <summary>A Cloud Agent host ID (UUID form), stable per host record.</summary>
    private static string QgHostId(long recordId) => $"{recordId:x8}-7e2b-4c1d-9f3a-{recordId * 7919:x12}";

    private sealed record TrackedDetection(KbEntry Kb, string Type, string? Port, string Protocol, bool Ssl, string? Results, string Status,
        DateTimeOffset FirstFound, DateTimeOffset LastFound, int TimesFound, DateTimeOffset LastTest, DateTimeOffset LastUpdate,
        DateTimeOffset? LastFixed, DateTimeOffset? FirstReopened, DateTimeOffset? LastReopened, int TimesReopened, bool Ignored, bool Disabled);

    private sealed class Seen
    {
        public required FoundDetection D { get; set; }
        public required DateTimeOffset First { get; init; }
        public required DateTimeOffset Last { get; set; }
        public int Times { get; set; } = 1;
        public required int LastIndex { get; set; }
        public DateTimeOffset? Fixed { get; set; }
        public DateTimeOffset? FirstReopened { get; set; }
        public DateTimeOffset? LastReopened { get; set; }
        public int TimesReopened { get; set; }

        /// <summary>The latest find came after a scan that did not find it.</summary>
        public bool ReopenedAtLast { get; set; }
    }

    /// <summary>New: first found by the latest scan; Active: also found by the one before; Re-Opened: found again
    /// after a scan that did not find it; Fixed: not found by the latest scan. Dates are the scans' test times.</summary>
    private IEnumerable<TrackedDetection> Track(List<HostScan> scans)
    {
        var seen = new Dictionary<(long Qid, string? Port, int Instance), Seen>();
        for (var i = 0; i < scans.Count; i++)
        {
            var at = scans[i].At;
            var keys = new HashSet<(long, string?, int)>();
            foreach (var d in HostDetections.For(scans[i].Scanned, scans[i].Scan, state.KnowledgeBase))
            {
                var key = (d.Kb.Qid, d.Port, d.Instance);
                keys.Add(key);
                if (seen.TryGetValue(key, out var prior))
                {
                    prior.ReopenedAtLast = prior.LastIndex < i - 1;
                    if (prior.ReopenedAtLast)
                    {
                        prior.TimesReopened++;
                        prior.FirstReopened ??= at;
                        prior.LastReopened = at;
                    }

                    prior.D = d;
                    prior.Last = at;
                    prior.Times++;
                    prior.LastIndex = i;
                }
                else
                {
                    seen[key] = new Seen { D = d, First = at, Last = at, LastIndex = i };
                }
            }

            foreach (var (key, value) in seen)
            {
                if (!keys.Contains(key) && value.LastIndex == i - 1)
                {
                    value.Fixed = at;
                }
            }
        }

        var latest = scans.Count - 1;
        foreach (var v in seen.Values)
        {
            var status = v.LastIndex < latest ? "Fixed" : v.Times == 1 ? "New" : v.ReopenedAtLast ? "Re-Opened" : "Active";
            var type = v.D.TypeOverride ?? v.D.Kb.DefaultDetectionType;
            yield return new TrackedDetection(v.D.Kb, type, v.D.Port, v.D.Protocol, v.D.Ssl, v.D.Results, status, v.First, v.Last, v.Times,
                scans[latest].At, scans[latest].ProcessedAt, v.Fixed, v.FirstReopened, v.LastReopened, v.TimesReopened, v.D.Ignored, v.D.Disabled);
        }
    }
}
