using System.Net;
using System.Text;
using System.Text.Json;

namespace ScanGate.Emulator.Tests;

public sealed class QpsAndInventoryTests
{
    private static async Task<HttpResponseMessage> PostXmlAsync(EmulatorFixture f, string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/xml");
        return await f.Client.PostAsync(path, content, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task ConnectorSearch_PaginatesWithHasMoreRecords()
    {
        const string yaml = """
            users: [{ username: demo, password: demo }]
            connectors:
              - { id: 1, name: a, account_id: "111111111111" }
              - { id: 2, name: b, account_id: "222222222222" }
              - { id: 3, name: c, account_id: "333333333333" }
            """;
        await using var f = await EmulatorFixture.StartAsync(yaml);
        using var page1 = await PostXmlAsync(f, "qps/rest/2.0/search/am/awsassetdataconnector/",
            "<ServiceRequest><preferences><startFromOffset>1</startFromOffset><limitResults>2</limitResults></preferences></ServiceRequest>");
        var doc1 = await EmulatorFixture.ReadXmlAsync(page1);
        doc1.Root!.Elements().Select(e => e.Name.LocalName).ShouldBe(["responseCode", "count", "hasMoreRecords", "data"]);
        doc1.Root.Element("count")!.Value.ShouldBe("2");
        doc1.Root.Element("hasMoreRecords")!.Value.ShouldBe("true");
        using var page2 = await PostXmlAsync(f, "qps/rest/2.0/search/am/awsassetdataconnector/",
            "<ServiceRequest><preferences><startFromOffset>3</startFromOffset><limitResults>2</limitResults></preferences></ServiceRequest>");
        var doc2 = await EmulatorFixture.ReadXmlAsync(page2);
        doc2.Root!.Element("hasMoreRecords")!.Value.ShouldBe("false");
        doc2.Descendants("AwsAssetDataConnector").Single().Element("name")!.Value.ShouldBe("c");
    }

    [Fact]
    public async Task ConnectorRun_WalksQueuedRunningProcessingFinished_AndGetUsesAssetDataConnector()
    {
        await using var f = await EmulatorFixture.StartAsync();
        (await f.PostAsync("qps/rest/2.0/run/am/assetdataconnector/7001")).Dispose();
        var states = new List<string>();
        foreach (var step in new[] { 0, 6, 20, 5 })
        {
            f.Advance(step);
            using var get = await f.GetAsync("qps/rest/2.0/get/am/assetdataconnector/7001");
            states.Add((await EmulatorFixture.ReadXmlAsync(get)).Descendants("AssetDataConnector").Single().Element("connectorState")!.Value);
        }

        states.ShouldBe(["QUEUED", "RUNNING", "PROCESSING", "FINISHED_SUCCESS"]);
    }

    [Theory]
    [InlineData("connector_finished_errors", "FINISHED_ERRORS")]
    [InlineData("connector_incomplete", "INCOMPLETE")]
    public async Task ConnectorRun_InjectedOutcome_EndsWithLastError(string kind, string outcome)
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.AddFault(new FaultRule { Path = "/qps/rest/2.0/run/", Kind = kind, Message = "AccessDenied: sts:AssumeRole" });
        (await f.PostAsync("qps/rest/2.0/run/am/assetdataconnector/7001")).Dispose();
        f.Advance(60);
        using var get = await f.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "qps/rest/2.0/get/am/assetdataconnector/7001")
        {
            Headers = { Accept = { new("application/json") } },
        }, TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(await get.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var connector = json.RootElement.GetProperty("ServiceResponse").GetProperty("data")[0].GetProperty("AssetDataConnector");
        connector.GetProperty("connectorState").GetString().ShouldBe(outcome);
        connector.GetProperty("lastError").GetString().ShouldBe("AccessDenied: sts:AssumeRole");
    }

    [Fact]
    public async Task ConnectorRun_Disabled_IsRefused()
    {
        const string yaml = """
            users: [{ username: demo, password: demo }]
            connectors: [{ id: 9, name: off, account_id: "1", disabled: true }]
            """;
        await using var f = await EmulatorFixture.StartAsync(yaml);
        using var run = await f.PostAsync("qps/rest/2.0/run/am/assetdataconnector/9");
        var doc = await EmulatorFixture.ReadXmlAsync(run);
        doc.Root!.Element("responseCode")!.Value.ShouldBe("INVALID_REQUEST");
        doc.Descendants("errorMessage").Single().Value.ShouldContain("disabled");
        using var missing = await f.GetAsync("qps/rest/2.0/get/am/assetdataconnector/12345");
        (await EmulatorFixture.ReadXmlAsync(missing)).Root!.Element("responseCode")!.Value.ShouldBe("OBJECT_NOT_FOUND");
    }

    [Fact]
    public async Task HostAssetSearch_ByInstanceAndAccount_ReturnsEc2StateAndRegion()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var r = await PostXmlAsync(f, "qps/rest/2.0/search/am/hostasset?fields=sourceInfo.list.Ec2AssetSourceSimple.instanceState,sourceInfo.list.Ec2AssetSourceSimple.region",
            """<ServiceRequest> <filters> <Criteria field="instanceId" operator="EQUALS">i-0123456789abcdef0</Criteria> <Criteria field="accountId" operator="EQUALS">123456789012</Criteria> </filters> </ServiceRequest>""");
        var doc = await EmulatorFixture.ReadXmlAsync(r);
        doc.Root!.Element("count")!.Value.ShouldBe("1");
        var ec2 = doc.Descendants("Ec2AssetSourceSimple").Single();
        ec2.Element("instanceState")!.Value.ShouldBe("RUNNING");
        ec2.Element("region")!.Value.ShouldBe("us-east-1");

        using var hidden = await PostXmlAsync(f, "qps/rest/2.0/search/am/hostasset",
            """<ServiceRequest><filters><Criteria field="instanceId" operator="EQUALS">i-0aaaabbbbccccdddd</Criteria></filters></ServiceRequest>""");
        var none = await EmulatorFixture.ReadXmlAsync(hidden);
        none.Root!.Element("count")!.Value.ShouldBe("0");
        none.Root.Element("data").ShouldBeNull();
    }

    [Fact]
    public async Task HostAssetSearch_JsonRequestAndAccept_ReturnsDataArrayOfSingleKeyObjects()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "qps/rest/2.0/search/am/hostasset")
        {
            Content = new StringContent("""{"ServiceRequest":{"filters":{"Criteria":[{"field":"instanceState","operator":"EQUALS","value":"STOPPED"}]}}}""", Encoding.UTF8, "application/json"),
            Headers = { Accept = { new("application/json") } },
        };
        using var r = await f.Client.SendAsync(request, TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var response = json.RootElement.GetProperty("ServiceResponse");
        response.GetProperty("responseCode").GetString().ShouldBe("SUCCESS");
        response.GetProperty("count").GetInt32().ShouldBe(1);
        var source = response.GetProperty("data")[0].GetProperty("HostAsset").GetProperty("sourceInfo").GetProperty("list")[0].GetProperty("Ec2AssetSourceSimple");
        source.GetProperty("instanceId").GetString().ShouldBe("i-0fedcba9876543210");
        f.State.Requests.Single().Body.ShouldNotBeNull().ShouldContain("STOPPED");
    }

    [Fact]
    public async Task HostAssetSearch_BadQwebHostId_IsInvalidRequestAndDtdIsRefused()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var r = await PostXmlAsync(f, "qps/rest/2.0/search/am/hostasset",
            """<ServiceRequest><filters><Criteria field="qwebHostId" operator="IN">abc123</Criteria></filters></ServiceRequest>""");
        var doc = await EmulatorFixture.ReadXmlAsync(r);
        doc.Root!.Element("responseCode")!.Value.ShouldBe("INVALID_REQUEST");
        doc.Descendants("errorResolution").Single().Value.ShouldBe("Specify criteria value(s) as Long.");

        using var xxe = await PostXmlAsync(f, "qps/rest/2.0/search/am/hostasset",
            """<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ServiceRequest><filters><Criteria field="name" operator="EQUALS">&e;</Criteria></filters></ServiceRequest>""");
        var refused = await EmulatorFixture.ReadXmlAsync(xxe);
        refused.Root!.Element("responseCode")!.Value.ShouldBe("INVALID_REQUEST");
    }

    [Fact]
    public async Task OptionProfiles_VmAndPci_UseGroupNameWithoutResponseWrapper()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var vm = await f.GetAsync("api/2.0/fo/subscription/option_profile/vm/?action=list");
        var doc = await EmulatorFixture.ReadXmlAsync(vm);
        doc.Root!.Name.LocalName.ShouldBe("OPTION_PROFILES");
        doc.Descendants("GROUP_NAME").Select(g => g.Value).ShouldContain("Initial Options");
        using var pci = await f.GetAsync("api/2.0/fo/subscription/option_profile/pci/?action=list");
        (await EmulatorFixture.ReadXmlAsync(pci)).Descendants("GROUP_NAME").Select(g => g.Value).ShouldBe(["Payment Card Industry (PCI) Options"]);

        const string noPci = "users: [{ username: demo, password: demo }]\nsubscription: { pci_enabled: false, networks_enabled: false }\n";
        await using var g = await EmulatorFixture.StartAsync(noPci);
        (await g.GetAsync("api/2.0/fo/subscription/option_profile/pci/?action=list")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await g.GetAsync("api/2.0/fo/network/?action=list")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Appliances_FullEc2VariantHasCloudInfo_AndNetworkFilterApplies()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var ec2 = await f.GetAsync("api/2.0/fo/appliance/?action=list&platform_provider=ec2&include_cloud_info=1&output_mode=full");
        var appliance = (await EmulatorFixture.ReadXmlAsync(ec2)).Descendants("APPLIANCE").Single();
        appliance.Element("NAME")!.Value.ShouldBe("demo-ec2-scanner");
        appliance.Descendants("ACCOUNT_ID").Single().Value.ShouldBe("123456789012");

        using var dmz = await f.GetAsync("api/2.0/fo/appliance/?action=list&output_mode=full&network_id=1001");
        var names = (await EmulatorFixture.ReadXmlAsync(dmz)).Descendants("APPLIANCE").Select(a => (a.Element("NAME")!.Value, a.Element("STATUS")!.Value));
        names.ShouldBe([("demo-appliance", "Online")]);

        using var brief = await f.GetAsync("api/2.0/fo/appliance/?action=list");
        (await EmulatorFixture.ReadXmlAsync(brief)).Descendants("CLOUD_INFO").ShouldBeEmpty();
    }

    [Fact]
    public async Task Networks_ListsNetworkWithItsAppliances()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var r = await f.GetAsync("api/2.0/fo/network/?action=list");
        var network = (await EmulatorFixture.ReadXmlAsync(r)).Descendants("NETWORK").Single();
        network.Element("ID")!.Value.ShouldBe("1001");
        network.Element("NAME")!.Value.ShouldBe("DMZ");
        network.Descendants("SCANNER_APPLIANCE").Single().Element("NAME")!.Value.ShouldBe("demo-appliance");
    }
}
