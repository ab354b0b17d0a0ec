using System.Net;

namespace ScanGate.Emulator.Tests;

public sealed class LaunchValidationTests
{
    [Theory]
    [InlineData("ip=192.0.2.10", "1903")]
    [InlineData("ip=192.0.2.10&option_title=Initial+Options&option_id=90001", "1904")]
    [InlineData("ip=192.0.2.10&option_title=Initial+Options&iscanner_name=External&iscanner_id=501", "1904")]
    [InlineData("option_title=Initial+Options", "1922")]
    [InlineData("ip=192.0.2.300&option_title=Initial+Options", "1905")]
    [InlineData("ip=&option_title=Initial+Options", "1905")]
    [InlineData("ip=192.0.2.10&option_title=No+Such+Profile", "1905")]
    [InlineData("ip=192.0.2.10&option_title=Initial+Options&iscanner_name=ghost", "1905")]
    [InlineData("ip=192.0.2.10&option_title=Initial+Options&ip_network_id=4242", "1905")]
    [InlineData("ip=192.0.2.10&option_title=Initial+Options&priority=12", "1905")]
    [InlineData("ip=192.0.2.10&option_title=Initial+Options&bogus=1", "1901")]
    [InlineData("ip=198.51.100.7&option_title=Initial+Options", "999")]
    [InlineData("ip=192.0.2.250-198.51.100.1&option_title=Initial+Options", "999")]
    public async Task Launch_InvalidParameters_Returns400WithDocumentedCode(string query, string code)
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var response = await f.PostAsync($"api/2.0/fo/scan/?action=launch&{query}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        body.ShouldNotStartWith("<?xml");
        EmulatorFixture.ParseXml(body).Descendants("CODE").Single().Value.ShouldBe(code);
        f.State.Requests.Single().Status.ShouldBe(400);
    }

    [Fact]
    public async Task Launch_WithGet_Is1908()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var response = await f.GetAsync("api/2.0/fo/scan/?action=launch&ip=192.0.2.10&option_title=Initial+Options");
        (await EmulatorFixture.ReadXmlAsync(response)).Descendants("CODE").Single().Value.ShouldBe("1908");
    }

    [Fact]
    public async Task Launch_FormBodyMergedWithQuery_IsAccepted()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var form = new FormUrlEncodedContent([new("ip", "192.0.2.10,192.0.2.20-192.0.2.22"), new("option_title", "Initial Options")]);
        using var response = await f.Client.PostAsync("api/2.0/fo/scan/?action=launch&scan_title=merged", form, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var logged = f.State.Requests.Single();
        logged.Parameters["scan_title"].ShouldBe("merged");
        logged.Parameters["ip"].ShouldBe("192.0.2.10,192.0.2.20-192.0.2.22");
    }

    [Fact]
    public async Task V3_ScanPath_ServesListButNotLaunch()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var launch = await f.PostAsync("api/3.0/fo/scan/?action=launch&ip=192.0.2.10&option_title=Initial+Options");
        launch.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var list = await f.GetAsync("api/3.0/fo/scan/?action=list");
        list.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await list.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("/api/3.0/fo/scan/scan_list_output.dtd");
    }

    [Fact]
    public async Task Ec2Launch_InstanceUnknownUntilConnectorRuns_ThenScansWithHostFindings()
    {
        await using var f = await EmulatorFixture.StartAsync();
        const string launch = "api/2.0/fo/scan/?action=launch&option_title=Initial+Options&connector_name=demo-aws&ec2_endpoint=eu-west-1&ec2_instance_ids=i-0aaaabbbbccccdddd";
        using (var before = await f.PostAsync(launch))
        {
            before.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await EmulatorFixture.ReadXmlAsync(before)).Descendants("TEXT").Single().Value.ShouldContain("instance not found");
        }

        using (var run = await f.PostAsync("qps/rest/2.0/run/am/assetdataconnector/7001"))
        {
            (await EmulatorFixture.ReadXmlAsync(run)).Descendants("connectorState").Single().Value.ShouldBe("QUEUED");
        }

        f.Advance(31);
        using var after = await f.PostAsync(launch);
        after.StatusCode.ShouldBe(HttpStatusCode.OK);

        using var stopped = await f.PostAsync("api/2.0/fo/scan/?action=launch&option_title=Initial+Options&connector_name=demo-aws&ec2_endpoint=us-east-1&ec2_instance_ids=i-0fedcba9876543210");
        (await EmulatorFixture.ReadXmlAsync(stopped)).Descendants("TEXT").Single().Value.ShouldContain("STOPPED");
    }
}
