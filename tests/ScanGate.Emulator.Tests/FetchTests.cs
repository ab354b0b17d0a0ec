using System.Net;
using System.Text.Json;

namespace ScanGate.Emulator.Tests;

public sealed class FetchTests
{
    private static async Task<string[]> FetchLinesAsync(EmulatorFixture f, string scanRef, string format = "json_extended")
    {
        using var r = await f.GetAsync($"api/2.0/fo/scan/?action=fetch&scan_ref={scanRef}&output_format={format}");
        r.StatusCode.ShouldBe(HttpStatusCode.OK);
        var text = await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return text.TrimEnd('\n').Split('\n');
    }

    [Fact]
    public async Task Fetch_JsonExtended_HasHeaderSummaryDetectionsAppendixOneElementPerLine()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var scanRef = await f.LaunchAsync("192.0.2.10,192.0.2.99");
        f.Advance(600);
        var lines = await FetchLinesAsync(f, scanRef);

        lines[0].ShouldStartWith("[{");
        lines[^1].ShouldEndWith("}]");
        lines.Take(lines.Length - 1).ShouldAllBe(l => l.EndsWith("},", StringComparison.Ordinal));
        using var doc = JsonDocument.Parse(string.Join('\n', lines));
        var items = doc.RootElement.EnumerateArray().ToList();
        items[0].GetProperty("scan_report_template_title").GetString().ShouldBe("Scan Results");
        items[1].GetProperty("reference").GetString().ShouldBe(scanRef);
        items[1].GetProperty("launch_date").GetString()!.ShouldMatch(@"^\d\d/\d\d/\d{4} \d\d:\d\d:\d\d$");
        items[1].GetProperty("asset_groups").ValueKind.ShouldBe(JsonValueKind.Null);

        var log4shell = items.Single(i => i.TryGetProperty("qid", out var q) && q.GetInt64() == 376157);
        log4shell.GetProperty("qid").ValueKind.ShouldBe(JsonValueKind.Number);
        log4shell.GetProperty("severity").GetString().ShouldBe("5");
        log4shell.GetProperty("type").GetString().ShouldBe("Vuln");
        log4shell.GetProperty("cve_id").GetString().ShouldBe("CVE-2021-44228");
        log4shell.GetProperty("cvss3_base").GetString().ShouldBe("10.0 (CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H)");
        log4shell.GetProperty("cvss_base").GetString().ShouldBe("9.3 (AV:N/AC:M/Au:N/C:C/I:C/A:C)");
        log4shell.GetProperty("pci_vuln").GetString().ShouldBe("yes");
        foreach (var property in log4shell.EnumerateObject().Where(p => p.Name != "qid"))
        {
            property.Value.ValueKind.ShouldBeOneOf(JsonValueKind.String, JsonValueKind.Null);
        }

        var types = items.Skip(2).Where(i => i.TryGetProperty("qid", out _)).Select(i => i.GetProperty("type").GetString()).Distinct().ToList();
        types.ShouldBe(["Vuln", "Practice", "Ig"], ignoreOrder: true);
        var severities = items.Skip(2).Where(i => i.TryGetProperty("qid", out _)).Select(i => i.GetProperty("severity").GetString()).Distinct().Order(StringComparer.Ordinal);
        severities.ShouldBe(["1", "2", "3", "4", "5"]);

        items[^2].GetProperty("hosts_not_scanned_host_not_alive_ip").GetString().ShouldBe("192.0.2.99");
        items[^1].GetProperty("target_distribution_across_scanner_appliances").GetString().ShouldStartWith("External : ");
    }

    [Fact]
    public async Task Fetch_DeadHostOnly_AppendixIsThirdElement()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var scanRef = await f.LaunchAsync("192.0.2.99");
        f.Advance(600);
        using var doc = JsonDocument.Parse(string.Join('\n', await FetchLinesAsync(f, scanRef)));
        doc.RootElement[2].GetProperty("hosts_not_scanned_host_not_alive_ip").GetString().ShouldBe("192.0.2.99");
        doc.RootElement[1].GetProperty("active_hosts").GetString().ShouldBe("0");
    }

    [Fact]
    public async Task Fetch_CanceledScan_HasCanceledAppendixKeyAndNoDetections()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var scanRef = await f.LaunchAsync();
        f.Advance(20);
        (await f.PostAsync($"api/2.0/fo/scan/?action=cancel&scan_ref={scanRef}")).Dispose();
        using var doc = JsonDocument.Parse(string.Join('\n', await FetchLinesAsync(f, scanRef)));
        doc.RootElement.EnumerateArray().Any(e => e.TryGetProperty("qid", out _)).ShouldBeFalse();
        doc.RootElement[2].GetProperty("host_not_scanned,_scan_canceled_by_user_ip_").GetString().ShouldBe("192.0.2.10");
    }

    [Fact]
    public async Task Fetch_NotFinished_IsXmlErrorAndUnknownRefIs1905()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var scanRef = await f.LaunchAsync();
        f.Advance(30);
        using var running = await f.GetAsync($"api/2.0/fo/scan/?action=fetch&scan_ref={scanRef}&output_format=json_extended");
        running.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        running.Content.Headers.ContentType!.MediaType.ShouldBe("application/xml");
        (await EmulatorFixture.ReadXmlAsync(running)).Descendants("TEXT").Single().Value.ShouldContain("Running");

        using var unknown = await f.GetAsync("api/2.0/fo/scan/?action=fetch&scan_ref=scan/1.00001&output_format=json_extended");
        (await EmulatorFixture.ReadXmlAsync(unknown)).Descendants("CODE").Single().Value.ShouldBe("1905");
        using var missing = await f.GetAsync("api/2.0/fo/scan/?action=fetch&output_format=json_extended");
        (await EmulatorFixture.ReadXmlAsync(missing)).Descendants("CODE").Single().Value.ShouldBe("1903");
    }

    [Fact]
    public async Task Fetch_TextHtmlContentTypeVariant_IsServedWhenConfigured()
    {
        const string yaml = """
            users: [{ username: demo, password: demo }]
            subscription: { ips: [192.0.2.0/24], fetch_content_type: "text/html; charset=UTF-8" }
            option_profiles: [{ id: 1, title: Initial Options }]
            hosts: [{ ip: 192.0.2.10, detections: [{ qid: 376157, port: "8080" }] }]
            """;
        await using var f = await EmulatorFixture.StartAsync(yaml);
        var scanRef = await f.LaunchAsync();
        f.Advance(600);
        using var r = await f.GetAsync($"api/2.0/fo/scan/?action=fetch&scan_ref={scanRef}&output_format=json");
        r.Content.Headers.ContentType!.ToString().ShouldBe("text/html; charset=UTF-8");
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        doc.RootElement.GetArrayLength().ShouldBe(1);
        doc.RootElement[0].GetProperty("qid").GetInt64().ShouldBe(376157);
    }

    [Fact]
    public async Task Fetch_HundredThousandDetections_IsStreamedChunkedAndComplete()
    {
        const string yaml = """
            users: [{ username: demo, password: demo }]
            subscription: { ips: [192.0.2.0/24] }
            option_profiles: [{ id: 1, title: Initial Options }]
            hosts: [{ ip: 192.0.2.50, generate: { count: 100000, seed: 7 } }]
            """;
        await using var f = await EmulatorFixture.StartAsync(yaml);
        var scanRef = await f.LaunchAsync("192.0.2.50");
        f.Advance(600);
        using var r = await f.Client.GetAsync($"api/2.0/fo/scan/?action=fetch&scan_ref={scanRef}&output_format=json_extended",
            HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        r.Content.Headers.ContentLength.ShouldBeNull();
        r.Headers.TransferEncodingChunked.ShouldBe(true);

        using var reader = new StreamReader(await r.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        var lines = 0;
        var detections = 0;
        while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            lines++;
            if (line.Contains("\"qid\":", StringComparison.Ordinal))
            {
                detections++;
            }
        }

        detections.ShouldBe(100_000);
        lines.ShouldBe(100_003); // header, summary, detections, scanner distribution
    }

    [Fact]
    public async Task Fetch_GeneratedDetections_AgreeWithKnowledgeBase()
    {
        const string yaml = """
            users: [{ username: demo, password: demo }]
            subscription: { ips: [192.0.2.0/24] }
            option_profiles: [{ id: 1, title: Initial Options }]
            hosts: [{ ip: 192.0.2.50, generate: { count: 50, seed: 3 } }]
            """;
        await using var f = await EmulatorFixture.StartAsync(yaml);
        var scanRef = await f.LaunchAsync("192.0.2.50");
        f.Advance(600);
        using var doc = JsonDocument.Parse(string.Join('\n', await FetchLinesAsync(f, scanRef, "json")));
        var first = doc.RootElement[0];
        var qid = first.GetProperty("qid").GetInt64();
        using var kb = await f.GetAsync($"api/2.0/fo/knowledge_base/vuln/?action=list&ids={qid}");
        var vuln = (await EmulatorFixture.ReadXmlAsync(kb)).Descendants("VULN").Single();
        vuln.Element("SEVERITY_LEVEL")!.Value.ShouldBe(first.GetProperty("severity").GetString());
        vuln.Element("TITLE")!.Value.Trim().ShouldBe(first.GetProperty("title").GetString());
        vuln.Element("PCI_FLAG")!.Value.ShouldBe(first.GetProperty("pci_vuln").GetString() == "yes" ? "1" : "0");
    }
}
