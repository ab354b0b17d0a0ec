using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Xml.Linq;

namespace ScanGate.Emulator.Tests;

/// <summary>Host detection history on the baseline timeline (BuiltInScenarios.Baseline), dates checked against the virtual clock.</summary>
public sealed class DetectionHistoryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Start = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private static string T(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    // Default timings: queued 10 s + running 60 s (the host's test time), then loading 5 s + processing 5 s.
    private static DateTimeOffset Tested(DateTimeOffset launched) => launched.AddSeconds(70);

    private static DateTimeOffset Processed(DateTimeOffset launched) => launched.AddSeconds(80);

    private static async Task<XDocument> DetectionsAsync(EmulatorFixture f, string query)
    {
        using var r = await f.GetAsync($"api/5.0/fo/asset/host/vm/detection/?action=list&status=New,Active,Fixed,Re-Opened&show_igs=1&{query}");
        r.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await EmulatorFixture.ReadXmlAsync(r);
    }

    private static XElement? Detection(XDocument doc, long qid) =>
        doc.Descendants("DETECTION").SingleOrDefault(d => d.Element("QID")!.Value == qid.ToString(CultureInfo.InvariantCulture));

    private static string? Field(XElement detection, string name) => detection.Element(name)?.Value;

    /// <summary>Launches a scan of the IP at the current virtual time and lets it be processed (advancing 10 minutes).</summary>
    private static async Task<DateTimeOffset> ScanAsync(EmulatorFixture f, string ip)
    {
        var launched = f.State.Clock.Now;
        await f.LaunchAsync(ip);
        f.Advance(600);
        return launched;
    }

    [Fact]
    public async Task ThreeScans_DetectionComesGoesAndComesBack_WithConsistentDates()
    {
        await using var f = await EmulatorFixture.StartAsync(BuiltInScenarios.Baseline);
        var s1 = await ScanAsync(f, "192.0.2.30");
        var first = await DetectionsAsync(f, "ips=192.0.2.30");
        Field(Detection(first, 11827)!, "STATUS").ShouldBe("New");
        Field(Detection(first, 11827)!, "FIRST_FOUND_DATETIME").ShouldBe(T(Tested(s1)));
        Detection(first, 990001).ShouldBeNull("QID 990001 is published at +90m");

        f.Advance(3000); // scan 2 at +1h
        var s2 = await ScanAsync(f, "192.0.2.30");
        var second = await DetectionsAsync(f, "ips=192.0.2.30");
        var gone = Detection(second, 11827)!;
        Field(gone, "STATUS").ShouldBe("Fixed");
        Field(gone, "LAST_FOUND_DATETIME").ShouldBe(T(Tested(s1)));
        Field(gone, "LAST_FIXED_DATETIME").ShouldBe(T(Tested(s2)));
        Field(gone, "LAST_TEST_DATETIME").ShouldBe(T(Tested(s2)));
        Field(gone, "TIMES_FOUND").ShouldBe("1");
        Field(Detection(second, 376157)!, "STATUS").ShouldBe("Active");
        Detection(second, 990001).ShouldBeNull();

        f.Advance(3000); // scan 3 at +2h, after the publication at +90m
        var s3 = await ScanAsync(f, "192.0.2.30");
        var third = await DetectionsAsync(f, "ips=192.0.2.30");
        var back = Detection(third, 11827)!;
        Field(back, "STATUS").ShouldBe("Re-Opened");
        Field(back, "FIRST_FOUND_DATETIME").ShouldBe(T(Tested(s1)));
        Field(back, "LAST_FOUND_DATETIME").ShouldBe(T(Tested(s3)));
        Field(back, "TIMES_FOUND").ShouldBe("2");
        Field(back, "LAST_FIXED_DATETIME").ShouldBe(T(Tested(s2)));
        Field(back, "FIRST_REOPENED_DATETIME").ShouldBe(T(Tested(s3)));
        Field(back, "LAST_REOPENED_DATETIME").ShouldBe(T(Tested(s3)));
        Field(back, "TIMES_REOPENED").ShouldBe("1");
        Field(back, "LAST_UPDATE_DATETIME").ShouldBe(T(Processed(s3)));

        var steady = Detection(third, 376157)!;
        (Field(steady, "STATUS"), Field(steady, "TIMES_FOUND"), Field(steady, "LAST_FIXED_DATETIME")).ShouldBe(("Active", "3", null));
        Field(steady, "FIRST_FOUND_DATETIME").ShouldBe(T(Tested(s1)));

        var published = Detection(third, 990001)!;
        (Field(published, "STATUS"), Field(published, "TIMES_FOUND")).ShouldBe(("New", "1"));
        Field(published, "FIRST_FOUND_DATETIME").ShouldBe(T(Tested(s3)));
        Field(Detection(third, 990002)!, "STATUS").ShouldBe("New");

        var host = third.Descendants("HOST").Single();
        host.Element("LAST_SCAN_DATETIME")!.Value.ShouldBe(T(Processed(s3)));
        host.Element("LAST_VM_SCANNED_DATE")!.Value.ShouldBe(T(Tested(s3)));
    }

    [Fact]
    public async Task KnowledgeBase_QidPublishedBetweenScans_ExistsOnlyFromItsPublication()
    {
        await using var f = await EmulatorFixture.StartAsync(BuiltInScenarios.Baseline);
        async Task<XElement?> VulnAsync(long qid)
        {
            using var r = await f.GetAsync($"api/2.0/fo/knowledge_base/vuln/?action=list&ids={qid}");
            return (await EmulatorFixture.ReadXmlAsync(r)).Descendants("VULN").SingleOrDefault();
        }

        (await VulnAsync(990001)).ShouldBeNull();
        (await VulnAsync(990002))!.Element("LAST_SERVICE_MODIFICATION_DATETIME")!.Value.ShouldBe(T(Start.AddDays(-400)));

        f.Advance(91 * 60);
        var fresh = (await VulnAsync(990001))!;
        fresh.Element("PUBLISHED_DATETIME")!.Value.ShouldBe(T(Start.AddMinutes(90)));
        fresh.Element("LAST_SERVICE_MODIFICATION_DATETIME")!.Value.ShouldBe(T(Start.AddMinutes(90)));
        fresh.Element("CVSS_V3")!.Element("BASE")!.Value.ShouldBe("9.8");
        fresh.Descendants("THREAT_INTEL").Select(t => (t.Attribute("id")!.Value, t.Value)).ShouldBe([("2", "Exploit_Public"), ("15", "Remote_Code_Execution")]);
        (await VulnAsync(990002))!.Element("LAST_SERVICE_MODIFICATION_DATETIME")!.Value.ShouldBe(T(Start.AddMinutes(90)));

        f.Advance(5 * 60);
        (await VulnAsync(990001))!.Element("LAST_SERVICE_MODIFICATION_DATETIME")!.Value.ShouldBe(T(Start.AddMinutes(95)));

        using var since = await f.GetAsync($"api/2.0/fo/knowledge_base/vuln/?action=list&details=None&published_after={T(Start)}");
        (await EmulatorFixture.ReadXmlAsync(since)).Descendants("ID").Select(i => i.Value).ShouldBe(["990001"]);
        using var modified = await f.GetAsync($"api/2.0/fo/knowledge_base/vuln/?action=list&details=None&last_modified_after={T(Start)}");
        (await EmulatorFixture.ReadXmlAsync(modified)).Descendants("ID").Select(i => i.Value).ShouldBe(["990001", "990002"]);
    }

    [Fact]
    public async Task IpChange_SameRoleOnANewIp_IsANewHostRecordWithTheSameFindings()
    {
        await using var f = await EmulatorFixture.StartAsync(BuiltInScenarios.Baseline);
        var before = await ScanAsync(f, "192.0.2.40");
        f.Advance(4 * 3600);

        var oldIp = await f.LaunchAsync("192.0.2.40");
        var launchedNew = f.State.Clock.Now;
        var newIp = await f.LaunchAsync("192.0.2.41");
        f.Advance(600);
        (await f.ScanAsync(oldIp))!.Descendants("SUB_STATE").Single().Value.ShouldBe("No_Host");
        (await f.ScanAsync(newIp))!.Descendants("SUB_STATE").ShouldBeEmpty();

        var doc = await DetectionsAsync(f, "ips=192.0.2.40-192.0.2.41");
        var hosts = doc.Descendants("HOST").ToList();
        hosts.Select(h => h.Element("IP")!.Value).ShouldBe(["192.0.2.40", "192.0.2.41"]);
        hosts.Select(h => h.Element("ID")!.Value).Distinct().Count().ShouldBe(2);
        hosts.Select(h => h.Element("QG_HOSTID")!.Value).Distinct().Count().ShouldBe(2);
        hosts[0].Element("LAST_VM_SCANNED_DATE")!.Value.ShouldBe(T(Tested(before)));
        hosts[1].Element("DNS")!.Value.ShouldBe("payments-2.example.test");
        var qids = hosts.Select(h => h.Descendants("QID").Select(q => q.Value).Order(StringComparer.Ordinal).ToList()).ToList();
        qids[1].ShouldBe(qids[0]);
        hosts[1].Descendants("STATUS").Select(s => s.Value).Distinct().ShouldBe(["New"]);
        hosts[1].Descendants("FIRST_FOUND_DATETIME").Select(s => s.Value).Distinct().ShouldBe([T(Tested(launchedNew))]);

        using var fetch = await f.GetAsync($"api/2.0/fo/scan/?action=fetch&scan_ref={newIp}&output_format=json");
        using var rows = JsonDocument.Parse(await fetch.Content.ReadAsStringAsync(Ct));
        rows.RootElement.EnumerateArray().Select(r => r.GetProperty("ip").GetString()).Distinct().ShouldBe(["192.0.2.41"]);
        rows.RootElement.EnumerateArray().Select(r => r.GetProperty("dns").GetString()).Distinct().ShouldBe(["payments-2.example.test"]);
    }

    [Fact]
    public async Task Host_FieldsInDtdOrder_WithDnsDataAgentAndAuthenticatedScan()
    {
        await using var f = await EmulatorFixture.StartAsync();
        await f.LaunchAsync("192.0.2.10-192.0.2.11");
        f.Advance(600);
        using (var auth = await f.PostAsync("api/2.0/fo/scan/?action=launch&option_title=Full+Audit&ip=192.0.2.10"))
        {
            auth.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        f.Advance(600);
        var host = (await DetectionsAsync(f, "ips=192.0.2.10")).Descendants("HOST").Single();
        host.Elements().Select(e => e.Name.LocalName).ShouldBe(
        [
            "ID", "IP", "TRACKING_METHOD", "OS", "DNS", "DNS_DATA", "NETBIOS", "QG_HOSTID", "LAST_SCAN_DATETIME", "LAST_VM_SCANNED_DATE",
            "LAST_VM_SCANNED_DURATION", "LAST_VM_AUTH_SCANNED_DATE", "LAST_VM_AUTH_SCANNED_DURATION", "DETECTION_LIST",
        ]);
        var dns = host.Element("DNS_DATA")!;
        (dns.Element("HOSTNAME")!.Value, dns.Element("DOMAIN")!.Value, dns.Element("FQDN")!.Value).ShouldBe(("web01", "demo.example", "web01.demo.example"));
        host.Element("QG_HOSTID")!.Value.ShouldMatch("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

        var clean = (await DetectionsAsync(f, "ips=192.0.2.11")).Descendants("HOST").Single();
        clean.Element("QG_HOSTID").ShouldBeNull("no agent on clean01");
        clean.Element("LAST_VM_AUTH_SCANNED_DATE").ShouldBeNull("clean01 had no authenticated scan");

        var detection = Detection(await DetectionsAsync(f, "ips=192.0.2.10"), 42430)!;
        detection.Elements().Select(e => e.Name.LocalName).ShouldBe(
        [
            "QID", "TYPE", "SEVERITY", "PORT", "PROTOCOL", "SSL", "RESULTS", "STATUS", "FIRST_FOUND_DATETIME", "LAST_FOUND_DATETIME",
            "TIMES_FOUND", "LAST_TEST_DATETIME", "LAST_UPDATE_DATETIME", "IS_IGNORED", "IS_DISABLED", "LAST_PROCESSED_DATETIME",
        ]);
        (Field(detection, "TYPE"), Field(detection, "SEVERITY"), Field(detection, "SSL"), Field(detection, "IS_IGNORED")).ShouldBe(("Confirmed", "4", "1", "0"));
    }

    [Theory]
    [InlineData("1-5", "1,2,3,4,5")]
    [InlineData("4-5", "4,5")]
    [InlineData("4,5", "4,5")]
    [InlineData("1,3-4", "1,3,4")]
    [InlineData("2", "2")]
    public async Task Severities_ListsAndRanges(string severities, string expected)
    {
        await using var f = await EmulatorFixture.StartAsync();
        await f.LaunchAsync();
        f.Advance(600);
        var doc = await DetectionsAsync(f, $"ips=192.0.2.10&severities={severities}");
        doc.Descendants("SEVERITY").Select(s => s.Value).Distinct().Order(StringComparer.Ordinal).ShouldBe(expected.Split(','));
    }

    [Theory]
    [InlineData("0-5")]
    [InlineData("6")]
    [InlineData("5-1")]
    [InlineData("high")]
    public async Task Severities_OutOfRange_Are1905(string severities)
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var r = await f.GetAsync($"api/2.0/fo/asset/host/vm/detection/?action=list&severities={severities}");
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var doc = await EmulatorFixture.ReadXmlAsync(r);
        doc.Descendants("CODE").Single().Value.ShouldBe("1905");
        doc.Descendants("TEXT").Single().Value.ShouldContain("severities");
    }

    [Fact]
    public async Task Truncation_UrlCarriesTheLimitAndIdMin_AndZeroMeansNoLimit()
    {
        await using var f = await EmulatorFixture.StartAsync();
        await f.LaunchAsync("192.0.2.10-192.0.2.11");
        f.Advance(600);
        using var limited = await f.PostAsync("api/5.0/fo/asset/host/vm/detection/?action=list&show_igs=1&truncation_limit=1");
        var url = (await EmulatorFixture.ReadXmlAsync(limited)).Descendants("URL").Single().Value;
        url.ShouldStartWith(f.Emulator.BaseUrl + "api/5.0/fo/asset/host/vm/detection/?");
        url.ShouldContain("truncation_limit=1");
        url.ShouldContain("id_min=1000001");

        using var all = await f.GetAsync("api/5.0/fo/asset/host/vm/detection/?action=list&show_igs=1&truncation_limit=0");
        var doc = await EmulatorFixture.ReadXmlAsync(all);
        doc.Descendants("HOST").Count().ShouldBe(2);
        doc.Descendants("WARNING").ShouldBeEmpty();
    }

    [Fact]
    public async Task IgnoredAndDisabled_AreHiddenUnlessIncluded_AndDetectionUpdatedSinceFilters()
    {
        const string yaml = """
            users: [{ username: demo, password: demo }]
            subscription: { ips: [192.0.2.0/24] }
            option_profiles: [{ id: 1, title: Initial Options }]
            hosts:
              - ip: 192.0.2.10
                detections:
                  - { qid: 376157, port: "8080" }
                  - { qid: 42430, port: "443", ignored: true }
                  - { qid: 38628, port: "443", disabled: true }
              - ip: 192.0.2.11
                detections: [{ qid: 38739, port: "22" }]
            """;
        await using var f = await EmulatorFixture.StartAsync(yaml);
        await ScanAsync(f, "192.0.2.11");
        f.Advance(3600);
        var since = T(f.State.Clock.Now);
        await ScanAsync(f, "192.0.2.10");

        (await DetectionsAsync(f, "ips=192.0.2.10")).Descendants("QID").Select(q => q.Value).ShouldBe(["376157"]);
        var both = await DetectionsAsync(f, "ips=192.0.2.10&include_ignored=1&include_disabled=1");
        (Field(Detection(both, 42430)!, "IS_IGNORED"), Field(Detection(both, 38628)!, "IS_DISABLED")).ShouldBe(("1", "1"));
        (await DetectionsAsync(f, $"detection_updated_since={since}")).Descendants("IP").Select(i => i.Value).ShouldBe(["192.0.2.10"]);
    }

    [Fact]
    public async Task Scenario_DetectionOfAnUnknownQid_IsRefusedAtStart()
    {
        var ex = await Should.ThrowAsync<ScenarioException>(() => QualysEmulator.StartAsync(new EmulatorOptions
        {
            ScenarioYaml = "users: [{username: a, password: b}]\nhosts: [{ip: 192.0.2.1, detections: [{qid: 4242}]}]\n",
        }, Ct));
        ex.Message.ShouldContain("qid 4242 is not in the knowledge base");
    }

    [Theory]
    [InlineData("hosts: [{ip: 192.0.2.1, ip_changes: [{at: tomorrow, ip: 192.0.2.2}]}]", "'tomorrow'")]
    [InlineData("hosts: [{ip: 192.0.2.1, ip_changes: [{at: +1h, ip: 192.0.2}]}]", "'192.0.2'")]
    [InlineData("hosts: [{ip: 192.0.2.1, tracking_method: MAC}]", "'MAC'")]
    [InlineData("knowledge_base: {entries: [{qid: 5, title: t, published: soon}]}", "published: invalid time 'soon'")]
    [InlineData("knowledge_base: {entries: [{qid: 5, title: t, cvss3_vector: 'CVSS:3.1/AV:X'}]}", "cvss3_vector")]
    [InlineData("knowledge_base: {entries: [{qid: 5, title: t, threat_intel: [Scary]}]}", "'Scary'")]
    [InlineData("knowledge_base: {entries: [{qid: 5, title: t, severity: 9}]}", "severity")]
    public async Task Scenario_BadTimelineFields_AreRefusedNamingThem(string yaml, string named)
    {
        var ex = await Should.ThrowAsync<ScenarioException>(() => QualysEmulator.StartAsync(new EmulatorOptions
        {
            ScenarioYaml = "users: [{username: a, password: b}]\n" + yaml + "\n",
        }, Ct));
        ex.Message.ShouldContain(named);
    }
}
