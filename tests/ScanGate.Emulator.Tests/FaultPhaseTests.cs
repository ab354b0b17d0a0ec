using System.Net;
using System.Text;

namespace ScanGate.Emulator.Tests;

/// <summary>Faults addressed by gate phase, from the control API and from scenarios.</summary>
public sealed class FaultPhaseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpStatusCode> CallAsync(EmulatorFixture f, string call, string scanRef)
    {
        using var response = call switch
        {
            "about" => await f.GetAsync("msp/about.php"),
            "auth" => await f.Client.PostAsync("auth", new FormUrlEncodedContent([new("username", "demo"), new("password", "demo")]), Ct),
            "portal" => await f.GetAsync("qps/rest/portal/version"),
            "connectors" => await f.PostAsync("qps/rest/2.0/search/am/awsassetdataconnector/"),
            "hostassets" => await f.PostAsync("qps/rest/3.0/search/am/hostasset"),
            "launch" => await f.PostAsync("api/2.0/fo/scan/?action=launch&option_title=Initial+Options&ip=192.0.2.10"),
            "list2" => await f.GetAsync($"api/2.0/fo/scan/?action=list&scan_ref={scanRef}"),
            "list3" => await f.GetAsync($"api/3.0/fo/scan/?action=list&scan_ref={scanRef}"),
            "fetch" => await f.GetAsync($"api/2.0/fo/scan/?action=fetch&scan_ref={scanRef}&output_format=json"),
            "cancel" => await f.PostAsync($"api/2.0/fo/scan/?action=cancel&scan_ref={scanRef}"),
            "kb" => await f.GetAsync("api/3.0/fo/knowledge_base/vuln/?action=list&ids=6"),
            "hld" => await f.GetAsync("api/5.0/fo/asset/host/vm/detection/?action=list"),
            _ => throw new ArgumentOutOfRangeException(nameof(call), call, null),
        };
        return response.StatusCode;
    }

    private static readonly string[] AllCalls = ["about", "auth", "portal", "connectors", "hostassets", "launch", "list2", "list3", "kb", "hld", "fetch", "cancel"];

    [Theory]
    [InlineData("connection_check", "about,auth,portal")]
    [InlineData("ec2_preflight", "connectors,hostassets")]
    [InlineData("launch", "launch")]
    [InlineData("poll", "list2,list3")]
    [InlineData("fetch", "fetch")]
    [InlineData("cancel", "cancel")]
    [InlineData("knowledge_base", "kb")]
    [InlineData("host_detection", "hld")]
    public async Task Phase_MatchesExactlyTheCallsOfThatPhase(string phase, string faulted)
    {
        await using var f = await EmulatorFixture.StartAsync();
        var scanRef = await f.LaunchAsync();
        f.Advance(600);
        f.State.AddFault(new FaultRule { Phase = phase, Kind = "http_502" });

        var hit = new List<string>();
        foreach (var call in AllCalls)
        {
            if (await CallAsync(f, call, scanRef) == HttpStatusCode.BadGateway)
            {
                hit.Add(call);
            }
        }

        hit.ShouldBe(faulted.Split(','), ignoreOrder: true);
    }

    [Fact]
    public async Task Phase_WithAction_NarrowsFurther()
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.AddFault(new FaultRule { Phase = "poll", Path = "/api/3.0/", Kind = "http_500" });
        (await f.GetAsync("api/2.0/fo/scan/?action=list")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await f.GetAsync("api/3.0/fo/scan/?action=list")).StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
    }

    [Fact]
    public async Task ControlApi_PostFault_WithTheNewFields_IsStoredAndFires()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var content = new StringContent(
            """{"phase":"fetch","kind":"result_not_scanned","key":"hosts_not_scanned_scan_discontinued_ip","calls":[1]}""", Encoding.UTF8, "application/json");
        using var created = await f.Client.PostAsync("_emulator/faults", content, Ct);
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var listed = await f.Client.GetStringAsync("_emulator/faults", Ct);
        listed.ShouldContain("\"phase\": \"fetch\"");
        listed.ShouldContain("\"key\": \"hosts_not_scanned_scan_discontinued_ip\"");

        var scanRef = await f.LaunchAsync();
        f.Advance(600);
        var body = await f.Client.GetStringAsync($"api/2.0/fo/scan/?action=fetch&scan_ref={scanRef}&output_format=json_extended", Ct);
        body.ShouldContain("{\"hosts_not_scanned_scan_discontinued_ip\":\"192.0.2.10\"}");
    }

    [Theory]
    [InlineData("""{"phase":"sometime","kind":"http_500"}""", "sometime")]
    [InlineData("""{"kind":"simple_return","code":"1980"}""", "truncation WARNING")]
    [InlineData("""{"kind":"simple_return","code":"4242"}""", "'4242'")]
    [InlineData("""{"kind":"result_not_scanned","key":"hosts_not_scanned_because"}""", "hosts_not_scanned_because")]
    [InlineData("""{"kind":"result_status"}""", "state")]
    [InlineData("""{"kind":"scan_state"}""", "sub_state")]
    [InlineData("""{"kind":"cut_body","byte_offset":-1}""", "byte_offset")]
    [InlineData("""{"kind":"http_500","bogus":1}""", "bogus")]
    public async Task ControlApi_PostFault_BadFields_AreRefusedNamingThem(string json, string named)
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var refused = await f.Client.PostAsync("_emulator/faults", content, Ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync(Ct)).ShouldContain(named);
    }

    [Fact]
    public async Task Scenario_Faults_TakeTheNewFields()
    {
        const string yaml = """
            users: [{ username: demo, password: demo }]
            subscription: { ips: [192.0.2.0/24] }
            option_profiles: [{ id: 1, title: Initial Options }]
            hosts: [{ ip: 192.0.2.10, netbios: WEB01, detections: [{ qid: 376157, port: "8080" }] }]
            faults:
              - { phase: poll, kind: simple_return, code: "2003", calls: [1] }
              - { phase: fetch, kind: result_not_scanned, key: hosts_not_scanned_excluded_host_netbios }
              - { phase: fetch, kind: cut_body, byte_offset: 2 }
            """;
        await using var f = await EmulatorFixture.StartAsync(yaml);
        using (var first = await f.GetAsync("api/2.0/fo/scan/?action=list"))
        {
            first.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        }

        var scanRef = await f.LaunchAsync();
        f.Advance(600);
        (await f.Client.GetStringAsync($"api/2.0/fo/scan/?action=fetch&scan_ref={scanRef}&output_format=json_extended", Ct)).ShouldBe("[{");
    }

    [Fact]
    public async Task Scenario_BadFaultField_IsRefusedNamingIt()
    {
        var ex = await Should.ThrowAsync<ScenarioException>(() => QualysEmulator.StartAsync(new EmulatorOptions
        {
            ScenarioYaml = "users: [{username: a, password: b}]\nfaults: [{phase: fetch, kind: result_status}]\n",
        }, Ct));
        ex.Message.ShouldContain("faults[result_status].state");
    }
}

public sealed class FaultDocumentationTests
{
    private static string Docs()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScanGate.slnx")))
        {
            dir = dir.Parent;
        }

        dir.ShouldNotBeNull("the repository root (ScanGate.slnx) was not found above the test assembly");
        return File.ReadAllText(Path.Combine(dir.FullName, "docs", "emulator.md"));
    }

    [Fact]
    public void EmulatorDoc_NamesEveryFaultKindAndPhase()
    {
        var docs = Docs();
        FaultRule.Kinds.Where(k => !docs.Contains($"`{k}`", StringComparison.Ordinal)).ShouldBeEmpty("fault kinds missing from docs/emulator.md");
        FaultRule.Phases.Keys.Where(p => !docs.Contains($"`{p}`", StringComparison.Ordinal)).ShouldBeEmpty("phases missing from docs/emulator.md");
    }
}
