using System.Net;
using System.Xml.Linq;

namespace ScanGate.Emulator.Tests;

public sealed class HostDetectionTests
{
    private static async Task<XDocument> DetectionsAsync(EmulatorFixture f, string query)
    {
        using var r = await f.GetAsync($"api/5.0/fo/asset/host/vm/detection/?action=list&{query}");
        r.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await EmulatorFixture.ReadXmlAsync(r);
    }

    private static string Status(XDocument doc, long qid) =>
        doc.Descendants("DETECTION").Single(d => d.Element("QID")!.Value == qid.ToString(System.Globalization.CultureInfo.InvariantCulture)).Element("STATUS")!.Value;

    [Fact]
    public async Task SuccessiveScans_GiveNewActiveFixedAndReOpened()
    {
        await using var f = await EmulatorFixture.StartAsync();
        const string all = "ips=192.0.2.10&status=New,Active,Fixed,Re-Opened";

        (await DetectionsAsync(f, all)).Root!.Element("RESPONSE")!.Elements().Select(e => e.Name.LocalName).ShouldBe(["DATETIME"]);

        await f.LaunchAsync();
        f.Advance(600);
        var first = await DetectionsAsync(f, all);
        Status(first, 376157).ShouldBe("New");
        Status(first, 11827).ShouldBe("New");

        await f.LaunchAsync();
        f.Advance(600);
        var second = await DetectionsAsync(f, all);
        Status(second, 376157).ShouldBe("Active");
        Status(second, 11827).ShouldBe("Fixed");
        second.Descendants("DETECTION").Single(d => d.Element("QID")!.Value == "11827").Element("LAST_FIXED_DATETIME").ShouldNotBeNull();

        await f.LaunchAsync();
        f.Advance(600);
        var third = await DetectionsAsync(f, all);
        Status(third, 11827).ShouldBe("Re-Opened");
        third.Descendants("DETECTION").Single(d => d.Element("QID")!.Value == "376157").Element("TIMES_FOUND")!.Value.ShouldBe("3");
    }

    [Fact]
    public async Task Filters_DefaultExcludesFixedAndIgs_ShowIgsAndVulnTypeWork()
    {
        await using var f = await EmulatorFixture.StartAsync();
        await f.LaunchAsync();
        f.Advance(600);
        var defaults = await DetectionsAsync(f, "ips=192.0.2.10");
        defaults.Descendants("TYPE").Select(t => t.Value).Distinct().ShouldBe(["Confirmed", "Potential"], ignoreOrder: true);
        var withIgs = await DetectionsAsync(f, "ips=192.0.2.10&show_igs=1");
        withIgs.Descendants("TYPE").Select(t => t.Value).ShouldContain("Info");
        var confirmed = await DetectionsAsync(f, "ips=192.0.2.10&include_vuln_type=confirmed");
        confirmed.Descendants("TYPE").Select(t => t.Value).Distinct().ShouldBe(["Confirmed"]);
        var host = defaults.Descendants("HOST").Single();
        host.Elements().Select(e => e.Name.LocalName).Take(3).ShouldBe(["ID", "IP", "TRACKING_METHOD"]);
        var hostLevel = withIgs.Descendants("DETECTION").Single(d => d.Element("QID")!.Value == "6");
        hostLevel.Element("PORT").ShouldBeNull();
    }

    [Fact]
    public async Task Truncation_LimitOneHost_GivesWarning1980AndNextUrlReturnsTheRest()
    {
        await using var f = await EmulatorFixture.StartAsync();
        await f.LaunchAsync("192.0.2.10-192.0.2.11");
        f.Advance(600);
        var page = await DetectionsAsync(f, "truncation_limit=1&show_igs=1");
        page.Descendants("HOST").Count().ShouldBe(1);
        var warning = page.Descendants("WARNING").Single();
        warning.Element("CODE")!.Value.ShouldBe("1980");
        using var next = await f.GetAsync(warning.Element("URL")!.Value);
        var rest = await EmulatorFixture.ReadXmlAsync(next);
        rest.Descendants("HOST").Single().Element("IP")!.Value.ShouldBe("192.0.2.11");
        rest.Descendants("WARNING").ShouldBeEmpty();
    }

    [Fact]
    public async Task VmScanSince_ExcludesHostsLastScannedBefore()
    {
        await using var f = await EmulatorFixture.StartAsync();
        await f.LaunchAsync("192.0.2.10");
        f.Advance(3600);
        var since = f.State.Clock.Now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        await f.LaunchAsync("192.0.2.11");
        f.Advance(600);
        var doc = await DetectionsAsync(f, $"show_igs=1&vm_scan_since={since}");
        doc.Descendants("HOST").Select(h => h.Element("IP")!.Value).ShouldBe(["192.0.2.11"]);
    }

    [Theory]
    [InlineData("api/2.0/fo/asset/host/vm/detection/?action=list&vm_scan_since=yesterday")]
    [InlineData("api/2.0/fo/asset/host/vm/detection/?action=list&ips=192.0.2.x")]
    [InlineData("api/3.0/fo/asset/host/vm/detection/?action=list&status=Gone")]
    [InlineData("api/4.0/fo/asset/host/vm/detection/?action=list&severities=7")]
    public async Task BadParameters_Are400With1905(string path)
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var r = await f.GetAsync(path);
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await EmulatorFixture.ReadXmlAsync(r)).Descendants("CODE").Single().Value.ShouldBe("1905");
    }
}
