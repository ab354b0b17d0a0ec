using System.Globalization;
using System.Text;

namespace ScanGate.Emulator;

internal sealed partial class Handlers
{
    private const int KbFlushChars = 32 * 1024;

    private async Task KnowledgeBaseAsync(Req req)
    {
        if (req.Get("action") != "list")
        {
            await MissingAction(req, "list").ConfigureAwait(false);
            return;
        }

        var details = req.Get("details") ?? "Basic";
        if (details is not ("Basic" or "All" or "None"))
        {
            await Error(req, 400, "1905", $"parameter details has invalid value: {details} (expected Basic, All or None)").ConfigureAwait(false);
            return;
        }

        List<(long From, long To)>? idRanges = null;
        if (req.Get("ids") is { } ids && !TryParseIdRanges(ids, out idRanges, out var bad))
        {
            await Error(req, 400, "1905", $"parameter ids has invalid value: {bad} (neither a positive integer nor a range: {bad})").ConfigureAwait(false);
            return;
        }

        if (!TryLong(req, "id_min", out var idMin) || !TryLong(req, "id_max", out var idMax) || !TryLong(req, "truncation_limit", out var limit))
        {
            var name = new[] { "id_min", "id_max", "truncation_limit" }.First(n => !TryLong(req, n, out _));
            await Error(req, 400, "1905", $"parameter {name} has invalid value: {req.Get(name)} (not a positive integer)").ConfigureAwait(false);
            return;
        }

        var patchable = req.Get("is_patchable");
        if (patchable is not (null or "0" or "1"))
        {
            await Error(req, 400, "1905", $"parameter is_patchable has invalid value: {patchable} (expected 0 or 1)").ConfigureAwait(false);
            return;
        }

        var now = Now;
        var dates = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var name in KbDateFilters)
        {
            if (req.Get(name) is { } text)
            {
                if (!TryParseQualysDate(text, out var at))
                {
                    await Error(req, 400, "1905", $"parameter {name} has invalid value: {text} (expected YYYY-MM-DD[THH:MM:SSZ])").ConfigureAwait(false);
                    return;
                }

                dates[name] = at;
            }
        }

        bool InDates(KbEntry e)
        {
            var modified = e.ServiceModifiedAt(now);
            return (!dates.TryGetValue("published_after", out var pa) || e.Published >= pa)
                && (!dates.TryGetValue("published_before", out var pb) || e.Published <= pb)
                && (!dates.TryGetValue("last_modified_after", out var ma) || modified >= ma)
                && (!dates.TryGetValue("last_modified_before", out var mb) || modified <= mb)
                && (!dates.TryGetValue("last_modified_by_service_after", out var sa) || modified >= sa)
                && (!dates.TryGetValue("last_modified_by_service_before", out var sb2) || modified <= sb2);
        }

        // A scenario QID does not exist before its publication.
        var matches = state.KnowledgeBase.Sorted.Where(e =>
            e.IsPublishedAt(now)
            && (idRanges is null || idRanges.Any(r => e.Qid >= r.From && e.Qid <= r.To))
            && (idMin is null || e.Qid >= idMin) && (idMax is null || e.Qid <= idMax)
            && (patchable is null || e.Patchable == (patchable == "1"))
            && InDates(e));

        var http = req.Http;
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/xml";
        var evaluation = Scenario.Subscription.Evaluation;
        var sb = Xml.Head(new StringBuilder(KbFlushChars * 2), "KNOWLEDGE_BASE_VULN_LIST_OUTPUT", req.BaseUrl,
            "/api/2.0/fo/knowledge_base/vuln/knowledge_base_vuln_list_output.dtd", evaluation);
        sb.Append("<KNOWLEDGE_BASE_VULN_LIST_OUTPUT>\n  <RESPONSE>\n    <DATETIME>").Append(Xml.Time(now)).Append("</DATETIME>\n");
        if (Scenario.Subscription.KeepAliveComments)
        {
            sb.Append("<!-- keep-alive for KNOWLEDGE_BASE_VULN_LIST_OUTPUT  -->\n");
        }

        var count = 0;
        long? next = null;
        foreach (var e in matches)
        {
            // truncation_limit=0 means no limit.
            if (limit is > 0 and var max && count == max)
            {
                next = e.Qid;
                break;
            }

            if (count++ == 0)
            {
                sb.Append(details == "None" ? "    <ID_SET>\n" : "    <VULN_LIST>\n");
            }

            if (details == "None")
            {
                sb.Append("      <ID>").Append(Num(e.Qid)).Append("</ID>\n");
            }
            else
            {
                AppendVuln(sb, e, details == "All", now);
            }

            if (sb.Length > KbFlushChars)
            {
                await WriteAsync(http, sb).ConfigureAwait(false);
            }
        }

        if (count > 0)
        {
            sb.Append(details == "None" ? "    </ID_SET>\n" : "    </VULN_LIST>\n");
        }

        if (next is { } nextId)
        {
            AppendTruncationWarning(sb, req, limit!.Value, nextId);
        }

        Xml.Tail(sb.Append("  </RESPONSE>\n</KNOWLEDGE_BASE_VULN_LIST_OUTPUT>\n"), evaluation);
        await WriteAsync(http, sb).ConfigureAwait(false);
    }

    private static readonly string[] KbDateFilters =
    [
        "published_after", "published_before", "last_modified_after", "last_modified_before",
        "last_modified_by_service_after", "last_modified_by_service_before",
    ];

    private static void AppendTruncationWarning(StringBuilder sb, Req req, long limit, long nextId)
    {
        // Like the real URL, it may carry a parameter the caller never sent (truncation_limit): follow it verbatim.
        var parameters = req.P.Where(p => p.Key is not ("id_min" or "truncation_limit"))
            .Append(new("truncation_limit", limit.ToString(CultureInfo.InvariantCulture)));
        var query = string.Join("&", parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        var url = $"{req.BaseUrl}{req.Path}?{query}&id_min={nextId.ToString(CultureInfo.InvariantCulture)}";
        sb.Append("    <WARNING>\n      <CODE>1980</CODE>\n      <TEXT>").Append(Num(limit))
            .Append(" record limit exceeded. Use URL to get next batch of results.</TEXT>\n      <URL>").Append(Xml.CData(url))
            .Append("</URL>\n    </WARNING>\n");
    }

    private static async Task WriteAsync(Microsoft.AspNetCore.Http.HttpContext http, StringBuilder sb)
    {
        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        sb.Clear();
        await http.Response.Body.WriteAsync(bytes, http.RequestAborted).ConfigureAwait(false);
    }

    private static bool TryLong(Req req, string name, out long? value)
    {
        value = null;
        if (req.Get(name) is not { } text)
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
        {
            value = v;
            return true;
        }

        return false;
    }

    private static bool TryParseIdRanges(string text, out List<(long From, long To)> ranges, out string bad)
    {
        ranges = [];
        bad = "";
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var dash = item.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0 && long.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var single))
            {
                ranges.Add((single, single));
            }
            else if (dash > 0 && long.TryParse(item[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                && long.TryParse(item[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var to) && from <= to)
            {
                ranges.Add((from, to));
            }
            else
            {
                bad = item;
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// One VULN in DTD order. <c>details=Basic</c> (the default) already carries DIAGNOSIS, CONSEQUENCE and SOLUTION,
    /// as recorded real traffic shows (the docs suggest only All does); All adds CORRELATION and the CVSS sub-scores.
    /// </summary>
    private static void AppendVuln(StringBuilder sb, KbEntry e, bool all, DateTimeOffset now)
    {
        const string I = "        ";
        sb.Append("      <VULN>\n")
            .Append(I).Append("<QID>").Append(Num(e.Qid)).Append("</QID>\n")
            .Append(I).Append("<VULN_TYPE>").Append(e.VulnType).Append("</VULN_TYPE>\n")
            .Append(I).Append("<SEVERITY_LEVEL>").Append(e.Severity).Append("</SEVERITY_LEVEL>\n")
            .Append(I).Append("<TITLE>\n").Append(I).Append("  ").Append(Xml.CData(e.Title)).Append('\n').Append(I).Append("</TITLE>\n")
            .Append(I).Append("<CATEGORY>").Append(Xml.Escape(e.Category)).Append("</CATEGORY>\n")
            .Append(I).Append("<LAST_SERVICE_MODIFICATION_DATETIME>").Append(Xml.Time(e.ServiceModifiedAt(now))).Append("</LAST_SERVICE_MODIFICATION_DATETIME>\n")
            .Append(I).Append("<PUBLISHED_DATETIME>").Append(Xml.Time(e.Published)).Append("</PUBLISHED_DATETIME>\n");
        if (e.Bugtraq.Count > 0)
        {
            sb.Append(I).Append("<BUGTRAQ_LIST>\n");
            foreach (var bid in e.Bugtraq)
            {
                sb.Append(I).Append("  <BUGTRAQ>\n").Append(I).Append("    <ID>").Append(Xml.CData(Num(bid))).Append("</ID>\n")
                    .Append(I).Append("    <URL>").Append(Xml.CData("http://www.securityfocus.com/bid/" + Num(bid))).Append("</URL>\n")
                    .Append(I).Append("  </BUGTRAQ>\n");
            }

            sb.Append(I).Append("</BUGTRAQ_LIST>\n");
        }

        sb.Append(I).Append("<PATCHABLE>").Append(e.Patchable ? '1' : '0').Append("</PATCHABLE>\n");
        if (e.Software.Count > 0)
        {
            sb.Append(I).Append("<SOFTWARE_LIST>\n");
            foreach (var (product, vendor) in e.Software)
            {
                sb.Append(I).Append("  <SOFTWARE>\n").Append(I).Append("    <PRODUCT>").Append(Xml.CData(product)).Append("</PRODUCT>\n")
                    .Append(I).Append("    <VENDOR>").Append(Xml.CData(vendor)).Append("</VENDOR>\n").Append(I).Append("  </SOFTWARE>\n");
            }

            sb.Append(I).Append("</SOFTWARE_LIST>\n");
        }

        if (e.VendorReference is { } vendorReference)
        {
            sb.Append(I).Append("<VENDOR_REFERENCE_LIST>\n").Append(I).Append("  <VENDOR_REFERENCE>\n")
                .Append(I).Append("    <ID>").Append(Xml.CData(vendorReference)).Append("</ID>\n")
                .Append(I).Append("    <URL>").Append(Xml.CData("https://vendor.example/advisories/" + Uri.EscapeDataString(vendorReference))).Append("</URL>\n")
                .Append(I).Append("  </VENDOR_REFERENCE>\n").Append(I).Append("</VENDOR_REFERENCE_LIST>\n");
        }

        if (e.Cves.Length > 0)
        {
            sb.Append(I).Append("<CVE_LIST>\n");
            foreach (var cve in e.Cves)
            {
                sb.Append(I).Append("  <CVE>\n").Append(I).Append("    <ID>").Append(Xml.CData(cve)).Append("</ID>\n")
                    .Append(I).Append("    <URL>").Append(Xml.CData("http://cve.mitre.org/cgi-bin/cvename.cgi?name=" + cve)).Append("</URL>\n")
                    .Append(I).Append("  </CVE>\n");
            }

            sb.Append(I).Append("</CVE_LIST>\n");
        }

        sb.Append(I).Append("<DIAGNOSIS>").Append(Xml.CData(e.Threat)).Append("</DIAGNOSIS>\n")
            .Append(I).Append("<CONSEQUENCE>").Append(Xml.CData(e.Impact)).Append("</CONSEQUENCE>\n")
            .Append(I).Append("<SOLUTION>").Append(Xml.CData(e.Solution)).Append("</SOLUTION>\n");
        if (all && e.Exploitability is not null && e.Cves.Length > 0)
        {
            sb.Append(I).Append("<CORRELATION>\n").Append(I).Append("  <EXPLOITS>\n").Append(I).Append("    <EXPLT_SRC>\n")
                .Append(I).Append("      <SRC_NAME>").Append(Xml.CData("nvd")).Append("</SRC_NAME>\n")
                .Append(I).Append("      <EXPLT_LIST>\n").Append(I).Append("        <EXPLT>\n")
                .Append(I).Append("          <REF>").Append(Xml.CData(e.Cves[0])).Append("</REF>\n")
                .Append(I).Append("          <DESC>").Append(Xml.CData(e.Exploitability)).Append("</DESC>\n")
                .Append(I).Append("        </EXPLT>\n").Append(I).Append("      </EXPLT_LIST>\n")
                .Append(I).Append("    </EXPLT_SRC>\n").Append(I).Append("  </EXPLOITS>\n").Append(I).Append("</CORRELATION>\n");
        }

        if (e.CvssBase is { } v2)
        {
            sb.Append(I).Append("<CVSS>\n")
                .Append(I).Append("  <BASE source=\"cve\">").Append(Score(v2, null)).Append("</BASE>\n")
                .Append(I).Append("  <TEMPORAL>").Append(Score(e.CvssTemporal, null)).Append("</TEMPORAL>\n")
                .Append(I).Append("  <VECTOR_STRING>CVSS:2.0/").Append(e.CvssVector).Append("</VECTOR_STRING>\n");
            if (all && e.CvssVector is { } vector)
            {
                var m = vector.Split('/').Select(p => p.Split(':')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
                static int Code(string v, string low, string mid) => v == low ? 1 : v == mid ? 2 : 3;
                sb.Append(I).Append("  <ACCESS>\n").Append(I).Append("    <VECTOR>").Append(Code(m["AV"], "L", "A")).Append("</VECTOR>\n")
                    .Append(I).Append("    <COMPLEXITY>").Append(Code(m["AC"], "L", "M")).Append("</COMPLEXITY>\n").Append(I).Append("  </ACCESS>\n")
                    .Append(I).Append("  <IMPACT>\n").Append(I).Append("    <CONFIDENTIALITY>").Append(Code(m["C"], "N", "P")).Append("</CONFIDENTIALITY>\n")
                    .Append(I).Append("    <INTEGRITY>").Append(Code(m["I"], "N", "P")).Append("</INTEGRITY>\n")
                    .Append(I).Append("    <AVAILABILITY>").Append(Code(m["A"], "N", "P")).Append("</AVAILABILITY>\n").Append(I).Append("  </IMPACT>\n")
                    .Append(I).Append("  <AUTHENTICATION>").Append(Code(m["Au"], "N", "S")).Append("</AUTHENTICATION>\n");
            }

            sb.Append(I).Append("</CVSS>\n");
        }

        if (e.Cvss3Base is { } v3)
        {
            sb.Append(I).Append("<CVSS_V3>\n")
                .Append(I).Append("  <BASE>").Append(Score(v3, null)).Append("</BASE>\n")
                .Append(I).Append("  <TEMPORAL>").Append(Score(e.Cvss3Temporal, null)).Append("</TEMPORAL>\n")
                .Append(I).Append("  <VECTOR_STRING>").Append(e.Cvss3Vector).Append("</VECTOR_STRING>\n")
                .Append(I).Append("</CVSS_V3>\n");
        }

        sb.Append(I).Append("<PCI_FLAG>").Append(e.Pci ? '1' : '0').Append("</PCI_FLAG>\n");
        if (e.ThreatIntel.Count > 0)
        {
            sb.Append(I).Append("<THREAT_INTELLIGENCE>\n");
            foreach (var id in e.ThreatIntel)
            {
                sb.Append(I).Append("  <THREAT_INTEL id=\"").Append(id).Append("\">").Append(Xml.CData(ThreatIntelligence.Name(id))).Append("</THREAT_INTEL>\n");
            }

            sb.Append(I).Append("</THREAT_INTELLIGENCE>\n");
        }

        sb.Append(I).Append("<DISCOVERY>\n").Append(I).Append("  <REMOTE>").Append(e.Remote ? '1' : '0').Append("</REMOTE>\n");
        if (e.AuthTypes.Count > 0)
        {
            sb.Append(I).Append("  <AUTH_TYPE_LIST>\n");
            foreach (var authType in e.AuthTypes)
            {
                sb.Append(I).Append("    <AUTH_TYPE>").Append(Xml.Escape(authType)).Append("</AUTH_TYPE>\n");
            }

            sb.Append(I).Append("  </AUTH_TYPE_LIST>\n");
        }

        var info = string.Join(", ", new[] { e.Patchable ? "Patch Available" : null, e.Exploitability is null ? null : "Exploit Available" }.OfType<string>());
        sb.Append(I).Append("  <ADDITIONAL_INFO>").Append(info).Append("</ADDITIONAL_INFO>\n")
            .Append(I).Append("</DISCOVERY>\n")
            .Append("      </VULN>\n");
    }
}
