using System.Net;

namespace ScanGate.Emulator.Tests;

public sealed class KnowledgeBaseTests
{
    [Fact]
    public async Task List_All_HasAtLeast5000DeterministicQidsWithRealisticSpread()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var r = await f.GetAsync("api/2.0/fo/knowledge_base/vuln/?action=list");
        var text = await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        text.ShouldContain("<!-- keep-alive for KNOWLEDGE_BASE_VULN_LIST_OUTPUT  -->");
        var vulns = EmulatorFixture.ParseXml(text).Descendants("VULN").ToList();

        vulns.Count.ShouldBeGreaterThanOrEqualTo(5000);
        vulns.Select(v => v.Element("SEVERITY_LEVEL")!.Value).Distinct().Count().ShouldBe(5);
        vulns.Select(v => v.Element("VULN_TYPE")!.Value).Distinct().ShouldBe(
            ["Vulnerability", "Potential Vulnerability", "Information Gathered", "Vulnerability or Potential Vulnerability"], ignoreOrder: true);
        vulns.Count(v => v.Element("CVSS_V3") is not null).ShouldBeGreaterThan(vulns.Count / 2);
        vulns.Count(v => v.Element("PCI_FLAG")!.Value == "1").ShouldBeInRange(vulns.Count / 5, vulns.Count * 4 / 5);

        // Same seed, same KB.
        await using var g = await EmulatorFixture.StartAsync();
        using var again = await g.GetAsync("api/2.0/fo/knowledge_base/vuln/?action=list&ids=100000-100500");
        var ids = (await EmulatorFixture.ReadXmlAsync(again)).Descendants("QID").Select(q => q.Value).ToList();
        ids.ShouldBe(vulns.Select(v => v.Element("QID")!.Value).Where(q => long.Parse(q, System.Globalization.CultureInfo.InvariantCulture) is >= 100000 and <= 100500).ToList());
    }

    [Fact]
    public async Task List_Log4Shell_CarriesItsPublicFacts()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var r = await f.GetAsync("api/2.0/fo/knowledge_base/vuln/?action=list&ids=376157&details=All");
        var vuln = (await EmulatorFixture.ReadXmlAsync(r)).Descendants("VULN").Single();
        vuln.Element("SEVERITY_LEVEL")!.Value.ShouldBe("5");
        vuln.Descendants("CVE").Single().Element("ID")!.Value.ShouldBe("CVE-2021-44228");
        vuln.Element("CVSS_V3")!.Element("BASE")!.Value.ShouldBe("10.0");
        vuln.Element("CVSS_V3")!.Element("VECTOR_STRING")!.Value.ShouldBe("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H");
        vuln.Element("CVSS")!.Element("BASE")!.Attribute("source")!.Value.ShouldBe("cve");
        vuln.Element("PUBLISHED_DATETIME")!.Value.ShouldStartWith("2021-12-10");
        vuln.Element("DIAGNOSIS").ShouldNotBeNull();
        vuln.Elements().Select(e => e.Name.LocalName).ShouldBe(
        [
            "QID", "VULN_TYPE", "SEVERITY_LEVEL", "TITLE", "CATEGORY", "LAST_SERVICE_MODIFICATION_DATETIME", "PUBLISHED_DATETIME",
            "PATCHABLE", "SOFTWARE_LIST", "VENDOR_REFERENCE_LIST", "CVE_LIST", "DIAGNOSIS", "CONSEQUENCE", "SOLUTION", "CORRELATION", "CVSS",
            "CVSS_V3", "PCI_FLAG", "THREAT_INTELLIGENCE", "DISCOVERY",
        ]);
    }

    [Fact]
    public void Cvss_SyntheticScores_MatchTheirVectors()
    {
        Cvss.V3Base("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H").ShouldBe(10.0);
        Cvss.V3Base("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N").ShouldBe(7.5);
        Cvss.V3Base("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N").ShouldBe(5.3);
        Cvss.V2Base("AV:N/AC:M/Au:N/C:C/I:C/A:C").ShouldBe(9.3);
        Cvss.V2Base("AV:N/AC:L/Au:N/C:P/I:N/A:N").ShouldBe(5.0);
        var kb = new KnowledgeBase(1, 500);
        foreach (var e in kb.Sorted.Where(e => e.Cvss3Vector is not null && e.Qid >= 100000))
        {
            Cvss.V3Base(e.Cvss3Vector!).ShouldBe(e.Cvss3Base!.Value);
            Cvss.V2Base(e.CvssVector!).ShouldBe(e.CvssBase!.Value);
        }
    }

    [Theory]
    [InlineData("ids=abc123", "1905")]
    [InlineData("ids=5-1", "1905")]
    [InlineData("details=Everything", "1905")]
    public async Task List_BadParameters_Are400(string query, string code)
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var r = await f.GetAsync($"api/2.0/fo/knowledge_base/vuln/?action=list&{query}");
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await EmulatorFixture.ReadXmlAsync(r)).Descendants("CODE").Single().Value.ShouldBe(code);
    }

    [Fact]
    public async Task List_UnknownQid_IsEmptyResponseWithDatetimeOnly()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var r = await f.PostAsync("api/3.0/fo/knowledge_base/vuln/?action=list&ids=99");
        var doc = await EmulatorFixture.ReadXmlAsync(r);
        doc.Root!.Element("RESPONSE")!.Elements().Select(e => e.Name.LocalName).ShouldBe(["DATETIME"]);
    }

    [Fact]
    public async Task List_TruncationLimit_GivesWarning1980WithNextUrlThatContinues()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var r = await f.GetAsync("api/2.0/fo/knowledge_base/vuln/?action=list&details=Basic&truncation_limit=10");
        var doc = await EmulatorFixture.ReadXmlAsync(r);
        var qids = doc.Descendants("QID").Select(q => q.Value).ToList();
        qids.Count.ShouldBe(10);
        var warning = doc.Descendants("WARNING").Single();
        warning.Element("CODE")!.Value.ShouldBe("1980");
        warning.Element("TEXT")!.Value.ShouldBe("10 record limit exceeded. Use URL to get next batch of results.");
        var url = warning.Element("URL")!.Value;
        url.ShouldContain("id_min=");

        using var next = await f.GetAsync(url);
        var nextQids = (await EmulatorFixture.ReadXmlAsync(next)).Descendants("QID").Select(q => q.Value).ToList();
        nextQids.Count.ShouldBe(10);
        nextQids.Intersect(qids, StringComparer.Ordinal).ShouldBeEmpty();
    }
}
