using System.Net;

namespace ScanGate.Emulator.Tests;

/// <summary>The small layout details of recorded real traffic (JupiterOne HARs, QG3 2020; a 2023 QG4 launch capture).</summary>
public sealed class RecordedTrafficTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Evaluation = "<!-- This report was generated with an evaluation version of Qualys //--> ";
    private const string Confidential = "<!-- CONFIDENTIAL AND PROPRIETARY INFORMATION.";

    private const string EvaluationScenario = """
        users: [{ username: demo, password: demo }]
        subscription: { ips: [192.0.2.0/24], evaluation: true }
        option_profiles: [{ id: 1, title: Initial Options }]
        hosts: [{ ip: 192.0.2.10, dns: web01.example.test, detections: [{ qid: 376157, port: "8080" }] }]
        """;

    private static async Task<string> TextAsync(HttpResponseMessage r) => await r.Content.ReadAsStringAsync(Ct);

    [Fact]
    public async Task ExpiredAccount_Is200TextXmlWithPrologNoTrailingCommentNoRateHeaders()
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.SetAccountState("demo", "expired");
        using var r = await f.GetAsync("api/2.0/fo/scan/?action=list");

        r.StatusCode.ShouldBe(HttpStatusCode.OK);
        r.Content.Headers.NonValidated["Content-Type"].ToString().ShouldBe("text/xml;charset=UTF-8");
        var body = await TextAsync(r);
        body.ShouldStartWith($"<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<!DOCTYPE SIMPLE_RETURN SYSTEM \"{f.Emulator.BaseUrl.ToString().TrimEnd('/')}/api/2.0/simple_return.dtd\">\n<SIMPLE_RETURN>");
        body.ShouldEndWith("</SIMPLE_RETURN>\n");
        EmulatorFixture.ParseXml(body).Descendants("CODE").Single().Value.ShouldBe("2001");
        r.Headers.Contains("X-RateLimit-Limit").ShouldBeFalse();
    }

    [Fact]
    public async Task Http400_HasNoPrologButOtherErrorsDo()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var bad = await f.GetAsync("api/2.0/fo/knowledge_base/vuln/?action=list&ids=abc123");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await TextAsync(bad)).ShouldStartWith("<!DOCTYPE SIMPLE_RETURN SYSTEM");

        f.State.AddFault(new FaultRule { Phase = "poll", Kind = "conflict_1960", Calls = [1] });
        using var conflict = await f.GetAsync("api/2.0/fo/scan/?action=list");
        conflict.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await TextAsync(conflict)).ShouldStartWith("<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<!DOCTYPE SIMPLE_RETURN");
    }

    [Fact]
    public async Task Launch_PointsAtTheLaunchDtdAndHasNoTrailingComment()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var r = await f.PostAsync("api/2.0/fo/scan/?action=launch&option_title=Initial+Options&ip=192.0.2.10");
        r.Content.Headers.ContentType!.MediaType.ShouldBe("application/xml");
        var body = await TextAsync(r);
        body.Split('\n')[1].ShouldBe($"<!DOCTYPE SIMPLE_RETURN SYSTEM \"{f.Emulator.BaseUrl.ToString().TrimEnd('/')}/api/2.0/fo/scan/dtd/launch_output.dtd\">");
        body.ShouldEndWith("</SIMPLE_RETURN>\n");
        body.ShouldNotContain("<!--");
    }

    [Fact]
    public async Task OtherSimpleReturns_200_HaveTheSimpleReturnDtdAndNoComment()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var scanRef = await f.LaunchAsync();
        using var r = await f.PostAsync($"api/2.0/fo/scan/?action=cancel&scan_ref={scanRef}");
        var body = await TextAsync(r);
        body.ShouldContain("/api/2.0/simple_return.dtd\">");
        body.ShouldEndWith("</SIMPLE_RETURN>\n");
        body.ShouldNotContain("<!--");
    }

    [Fact]
    public async Task LoneCall_ConcurrencyRunningIsZero()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var r = await f.GetAsync("api/2.0/fo/scan/?action=list");
        r.Headers.GetValues("X-Concurrency-Limit-Running").Single().ShouldBe("0");
        r.Headers.GetValues("X-RateLimit-Remaining").Single().ShouldBe("299");
    }

    [Theory]
    [InlineData("api/2.0/fo/scan/?action=list", "SCAN_LIST_OUTPUT")]
    [InlineData("api/2.0/fo/knowledge_base/vuln/?action=list&ids=6", "KNOWLEDGE_BASE_VULN_LIST_OUTPUT")]
    [InlineData("api/5.0/fo/asset/host/vm/detection/?action=list", "HOST_LIST_VM_DETECTION_OUTPUT")]
    [InlineData("api/2.0/fo/network/?action=list", "NETWORK_LIST_OUTPUT")]
    [InlineData("msp/about.php", "ABOUT")]
    public async Task EvaluationTenant_CommentsSitAfterTheDoctypeAndAfterTheRoot(string path, string root)
    {
        await using var f = await EmulatorFixture.StartAsync(EvaluationScenario);
        using var r = await f.GetAsync(path);
        var lines = (await TextAsync(r)).Split('\n');

        lines[0].ShouldBe("<?xml version=\"1.0\" encoding=\"UTF-8\" ?>");
        lines[1].ShouldStartWith($"<!DOCTYPE {root} SYSTEM ");
        lines[2].ShouldBe(Evaluation);
        lines[3].ShouldBe($"<{root}>");
        var close = Array.IndexOf(lines, $"</{root}>");
        close.ShouldBeGreaterThan(3);
        var after = lines[(close + 1)..].Where(l => l.Length > 0).ToList();
        after[^2].ShouldBe(Evaluation);
        after[^1].ShouldStartWith(Confidential);
    }

    [Fact]
    public async Task HostDetectionList_HasTheRecordedDoctypeAndEndsWithTheNotice()
    {
        await using var f = await EmulatorFixture.StartAsync();
        await f.LaunchAsync();
        f.Advance(600);
        foreach (var version in new[] { "2.0", "5.0" })
        {
            using var r = await f.GetAsync($"api/{version}/fo/asset/host/vm/detection/?action=list");
            var body = await TextAsync(r);
            body.Split('\n')[1].ShouldBe(
                $"<!DOCTYPE HOST_LIST_VM_DETECTION_OUTPUT SYSTEM \"{f.Emulator.BaseUrl.ToString().TrimEnd('/')}/api/2.0/fo/asset/host/vm/detection/host_list_vm_detection_output.dtd\">");
            body.TrimEnd('\n').Split('\n')[^1].ShouldStartWith(Confidential);
            body.ShouldEndWith("//--> \n");
        }
    }

    [Fact]
    public async Task PortalVersion_SchemaIsQpsXsdVersionXsd()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var body = await f.Client.GetStringAsync("qps/rest/portal/version", Ct);
        body.ShouldContain($"xsi:noNamespaceSchemaLocation=\"{f.Emulator.BaseUrl.ToString().TrimEnd('/')}/qps/xsd/version.xsd\"");
        var connectors = await (await f.PostAsync("qps/rest/2.0/search/am/awsassetdataconnector/")).Content.ReadAsStringAsync(Ct);
        connectors.ShouldContain("/qps/xsd/2.0/am/awsassetdataconnector.xsd\"");
    }
}
