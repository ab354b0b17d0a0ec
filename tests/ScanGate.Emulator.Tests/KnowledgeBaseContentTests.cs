using System.Globalization;
using System.Xml.Linq;

namespace ScanGate.Emulator.Tests;

/// <summary>KB entries with the blocks real entries have, in DTD order, and Basic as the default detail level.</summary>
public sealed class KnowledgeBaseContentTests
{
    // KNOWLEDGE_BASE_VULN_LIST_OUTPUT DTD (qualys-api.md §4.2), the children of VULN in order.
    private static readonly string[] DtdOrder =
    [
        "QID", "VULN_TYPE", "SEVERITY_LEVEL", "TITLE", "CATEGORY", "DETECTION_INFO", "LAST_CUSTOMIZATION", "LAST_SERVICE_MODIFICATION_DATETIME",
        "PUBLISHED_DATETIME", "BUGTRAQ_LIST", "PATCHABLE", "SOFTWARE_LIST", "VENDOR_REFERENCE_LIST", "CVE_LIST", "DIAGNOSIS", "DIAGNOSIS_COMMENT",
        "CONSEQUENCE", "CONSEQUENCE_COMMENT", "SOLUTION", "SOLUTION_COMMENT", "COMPLIANCE_LIST", "CORRELATION", "CVSS", "CVSS_V3", "PCI_FLAG",
        "AUTOMATIC_PCI_FAIL", "PCI_REASONS", "THREAT_INTELLIGENCE", "SUPPORTED_MODULES", "DISCOVERY", "IS_DISABLED", "CHANGE_LOG_LIST",
    ];

    private static async Task<List<XElement>> VulnsAsync(EmulatorFixture f, string query)
    {
        using var r = await f.GetAsync($"api/2.0/fo/knowledge_base/vuln/?action=list&{query}");
        return [.. (await EmulatorFixture.ReadXmlAsync(r)).Descendants("VULN")];
    }

    [Fact]
    public async Task Default_IsBasic_WithDiagnosisConsequenceAndSolution_AllAddsCorrelation()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var basic = (await VulnsAsync(f, "ids=376157")).Single();
        foreach (var name in new[] { "DIAGNOSIS", "CONSEQUENCE", "SOLUTION" })
        {
            basic.Element(name)!.Value.ShouldNotBeNullOrWhiteSpace(name);
        }

        basic.Element("CORRELATION").ShouldBeNull();
        (await VulnsAsync(f, "ids=376157&details=Basic")).Single().ToString().ShouldBe(basic.ToString());
        (await VulnsAsync(f, "ids=376157&details=All")).Single().Element("CORRELATION").ShouldNotBeNull();
    }

    [Fact]
    public async Task Heartbleed_HasBugtraqSoftwareThreatIntelligenceAndAuthTypes()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var vuln = (await VulnsAsync(f, "ids=42430")).Single();
        var bugtraq = vuln.Element("BUGTRAQ_LIST")!.Element("BUGTRAQ")!;
        (bugtraq.Element("ID")!.Value, bugtraq.Element("URL")!.Value).ShouldBe(("66690", "http://www.securityfocus.com/bid/66690"));
        var software = vuln.Element("SOFTWARE_LIST")!.Element("SOFTWARE")!;
        (software.Element("PRODUCT")!.Value, software.Element("VENDOR")!.Value).ShouldBe(("openssl", "openssl"));
        vuln.Element("THREAT_INTELLIGENCE")!.Elements("THREAT_INTEL").Select(t => t.Attribute("id")!.Value + "=" + t.Value)
            .ShouldBe(["2=Exploit_Public", "5=Easy_Exploit", "6=High_Data_Loss", "14=Unauthenticated_Exploitation"]);
        var discovery = vuln.Element("DISCOVERY")!;
        discovery.Elements().Select(e => e.Name.LocalName).ShouldBe(["REMOTE", "AUTH_TYPE_LIST", "ADDITIONAL_INFO"]);
        discovery.Element("AUTH_TYPE_LIST")!.Elements("AUTH_TYPE").Select(a => a.Value).ShouldBe(["Unix"]);
        discovery.Element("ADDITIONAL_INFO")!.Value.ShouldBe("Patch Available, Exploit Available");
    }

    [Fact]
    public async Task SyntheticEntries_CarryTheBlocksInDtdOrder()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var vulns = await VulnsAsync(f, "details=All");
        foreach (var vuln in vulns)
        {
            var positions = vuln.Elements().Select(e => Array.IndexOf(DtdOrder, e.Name.LocalName)).ToList();
            positions.ShouldAllBe(p => p >= 0, vuln.Element("QID")!.Value);
            positions.ShouldBe(positions.Order().ToList(), vuln.Element("QID")!.Value);
            vuln.Element("DISCOVERY")!.Element("REMOTE")!.Value.ShouldBeOneOf("0", "1");
        }

        vulns.Count(v => v.Element("SOFTWARE_LIST") is not null).ShouldBeGreaterThan(vulns.Count * 9 / 10);
        vulns.Count(v => v.Element("BUGTRAQ_LIST") is not null).ShouldBeInRange(vulns.Count / 20, vulns.Count / 2);
        vulns.Count(v => v.Element("THREAT_INTELLIGENCE") is not null).ShouldBeInRange(vulns.Count / 4, vulns.Count * 19 / 20);
        vulns.Count(v => v.Element("DISCOVERY")!.Element("AUTH_TYPE_LIST") is not null).ShouldBeInRange(vulns.Count / 10, vulns.Count * 9 / 10);
        var ids = vulns.SelectMany(v => v.Descendants("THREAT_INTEL")).Select(t => int.Parse(t.Attribute("id")!.Value, CultureInfo.InvariantCulture)).Distinct().ToList();
        ids.ShouldContain(2);
        ids.ShouldContain(8);
        ids.ShouldContain(15);
        ids.ShouldAllBe(i => i >= 1 && i <= 18);
    }

    [Fact]
    public async Task TruncationLimitZero_MeansNoLimit_AndPatchableFilters()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var all = await VulnsAsync(f, "details=Basic&truncation_limit=0&ids=100000-101000");
        var unlimited = await VulnsAsync(f, "details=Basic&ids=100000-101000");
        all.Count.ShouldBe(unlimited.Count);
        all.Count.ShouldBeGreaterThan(10);
        var patchable = await VulnsAsync(f, "ids=100000-101000&is_patchable=1");
        patchable.ShouldAllBe(v => v.Element("PATCHABLE")!.Value == "1");
        patchable.Count.ShouldBeLessThan(all.Count);
    }

    [Fact]
    public async Task Fetch_BugtraqId_AgreesWithTheKnowledgeBase()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var scanRef = await f.LaunchAsync();
        f.Advance(600);
        var body = await f.Client.GetStringAsync($"api/2.0/fo/scan/?action=fetch&scan_ref={scanRef}&output_format=json", TestContext.Current.CancellationToken);
        using var doc = System.Text.Json.JsonDocument.Parse(body);
        var heartbleed = doc.RootElement.EnumerateArray().Single(r => r.GetProperty("qid").GetInt64() == 42430);
        heartbleed.GetProperty("bugtraq_id").GetString().ShouldBe("66690");
        doc.RootElement.EnumerateArray().Single(r => r.GetProperty("qid").GetInt64() == 376157).GetProperty("bugtraq_id").ValueKind
            .ShouldBe(System.Text.Json.JsonValueKind.Null);
    }
}
