using System.Xml;
using System.Xml.Linq;

namespace ScanGate.Reports.Tests;

public sealed class JUnitReportTests
{
    [Fact]
    public async Task Render_Sample_HasPolicySuiteAndASuitePerHostWithCounts()
    {
        var doc = Parse(await ReportTestFiles.RenderAsync(ResultFixtures.SamplePath, ReportFormat.JUnit));
        var root = doc.Root!;
        root.Name.LocalName.ShouldBe("testsuites");
        var suites = root.Elements("testsuite").ToList();
        suites.Select(s => (string?)s.Attribute("name")).ShouldBe(["ScanGate policy", "Host 10.0.0.5", "Host 10.0.0.6"]);

        var policy = suites[0];
        ((int)policy.Attribute("tests")!).ShouldBe(4);
        ((int)policy.Attribute("failures")!).ShouldBe(3);

        var first = suites[1];
        ((int)first.Attribute("tests")!).ShouldBe(5);
        ((int)first.Attribute("failures")!).ShouldBe(1);
        ((int)first.Attribute("skipped")!).ShouldBe(2); // excluded QID 105943 and the potential row not judged
        var cases = first.Elements("testcase").ToList();
        cases[0].Attribute("classname")!.Value.ShouldBe("host.10_0_0_5");
        cases[0].Attribute("name")!.Value.ShouldBe("QID 38170: SSL Certificate - Expired [443/tcp]");
        cases[0].Element("failure")!.Attribute("type")!.Value.ShouldBe("severity,qids,cvss3");
        cases[3].Element("skipped")!.Attribute("message")!.Value.ShouldBe("excluded by qid 105943");

        var second = suites[2];
        second.Elements("testcase").Last().Element("skipped")!.Attribute("message")!.Value.ShouldStartWith("excepted by EXC-1");

        // Totals add up over suites (what Jenkins, GitLab and Azure show).
        ((int)root.Attribute("tests")!).ShouldBe(suites.Sum(s => (int)s.Attribute("tests")!));
        ((int)root.Attribute("failures")!).ShouldBe(suites.Sum(s => s.Elements("testcase").Count(c => c.Element("failure") is not null)));
        ((int)root.Attribute("skipped")!).ShouldBe(suites.Sum(s => s.Elements("testcase").Count(c => c.Element("skipped") is not null)));
    }

    [Fact]
    public async Task Render_ControlCharactersInScannerText_StillWellFormedXml()
    {
        var path = Path.Combine(ReportTestFiles.TempDir(), "ctl.json");
        await File.WriteAllTextAsync(path, """{"schema_version":1,"verdict":"fail","counts":{},"findings":[{"host":"h","qid":1,"title":"bad \u0001\u0008 \uFFFF end","severity":5,"type":"confirmed","evaluated":true,"matched":["severity"],"results":"x\u000Cy"}]}""", TestContext.Current.CancellationToken);
        var doc = Parse(await ReportTestFiles.RenderAsync(path, ReportFormat.JUnit));
        var name = doc.Descendants("testcase").Single(c => ((string?)c.Attribute("classname"))!.StartsWith("host.", StringComparison.Ordinal)).Attribute("name")!.Value;
        name.ShouldBe("QID 1: bad \uFFFD\uFFFD \uFFFD end");
    }

    [Fact]
    public async Task Render_HostsInterleaved_GroupsEachHostInOneSuite()
    {
        var path = Path.Combine(ReportTestFiles.TempDir(), "mixed.json");
        await File.WriteAllTextAsync(path, """
            {"schema_version":1,"verdict":"pass","counts":{},"findings":[
             {"host":"a","qid":1,"evaluated":true},{"host":"b","qid":2,"evaluated":true},{"host":"a","qid":3,"evaluated":true}]}
            """, TestContext.Current.CancellationToken);
        var doc = Parse(await ReportTestFiles.RenderAsync(path, ReportFormat.JUnit));
        var suites = doc.Root!.Elements("testsuite").Skip(1).ToList();
        suites.Select(s => (string?)s.Attribute("hostname")).ShouldBe(["a", "b"]);
        suites[0].Elements("testcase").Select(c => c.Attribute("name")!.Value).ShouldBe(["QID 1: (no title)", "QID 3: (no title)"]);
    }

    private static XDocument Parse(string xml)
    {
        using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        return XDocument.Load(reader);
    }
}
