using System.Net;

namespace ScanGate.Emulator.Tests;

public sealed class FaultTests
{
    [Theory]
    [InlineData("http_500", HttpStatusCode.InternalServerError, "999")]
    [InlineData("maintenance_1999", HttpStatusCode.ServiceUnavailable, "1999")]
    [InlineData("conflict_1960", HttpStatusCode.Conflict, "1960")]
    [InlineData("conflict_1965", HttpStatusCode.Conflict, "1965")]
    public async Task StatusFault_OnSecondCallOnly_ReturnsSimpleReturnThenRecovers(string kind, HttpStatusCode status, string code)
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.AddFault(new FaultRule { Path = "/api/2.0/fo/scan/", Action = "list", Kind = kind, Calls = [2] });

        using var one = await f.GetAsync("api/2.0/fo/scan/?action=list");
        using var two = await f.GetAsync("api/2.0/fo/scan/?action=list");
        using var three = await f.GetAsync("api/2.0/fo/scan/?action=list");

        one.StatusCode.ShouldBe(HttpStatusCode.OK);
        two.StatusCode.ShouldBe(status);
        (await EmulatorFixture.ReadXmlAsync(two)).Descendants("CODE").Single().Value.ShouldBe(code);
        three.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("maintenance_html", HttpStatusCode.ServiceUnavailable)]
    [InlineData("http_502", HttpStatusCode.BadGateway)]
    [InlineData("http_503", HttpStatusCode.ServiceUnavailable)]
    public async Task HtmlFault_ReturnsHtmlPage(string kind, HttpStatusCode status)
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.AddFault(new FaultRule { Kind = kind });
        using var r = await f.GetAsync("api/2.0/fo/scan/?action=list");
        r.StatusCode.ShouldBe(status);
        r.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        (await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldStartWith("<");
    }

    [Fact]
    public async Task ConnectionReset_ClientSeesTransportError()
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.AddFault(new FaultRule { Path = "/api/2.0/fo/scan/", Kind = "connection_reset", Calls = [1] });
        await Should.ThrowAsync<HttpRequestException>(() => f.GetAsync("api/2.0/fo/scan/?action=list"));
        (await f.GetAsync("api/2.0/fo/scan/?action=list")).StatusCode.ShouldBe(HttpStatusCode.OK);
        f.State.Requests.Select(r => r.Status).ShouldBe([0, 200]);
    }

    [Fact]
    public async Task LostLaunchResponse_ScanExistsAlthoughClientGotNoAnswer()
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.AddFault(new FaultRule { Path = "/api/2.0/fo/scan/", Action = "launch", Kind = "lost_launch_response" });
        await Should.ThrowAsync<HttpRequestException>(() => f.PostAsync("api/2.0/fo/scan/?action=launch&option_title=Initial+Options&ip=192.0.2.10&scan_title=lost"));
        using var list = await f.GetAsync("api/2.0/fo/scan/?action=list");
        (await EmulatorFixture.ReadXmlAsync(list)).Descendants("SCAN").Single().Element("TITLE")!.Value.Trim().ShouldBe("lost");
    }

    [Fact]
    public async Task TruncatedBody_ClientFailsReadingTheBody()
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.AddFault(new FaultRule { Path = "/api/2.0/fo/knowledge_base/vuln/", Kind = "truncated_body" });
        await Should.ThrowAsync<HttpRequestException>(async () =>
        {
            using var r = await f.GetAsync("api/2.0/fo/knowledge_base/vuln/?action=list&ids=376157");
            await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        });
    }

    [Fact]
    public async Task MalformedBody_IsCompleteHttpButBrokenXml()
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.AddFault(new FaultRule { Path = "/api/2.0/fo/scan/", Kind = "malformed_body" });
        using var r = await f.GetAsync("api/2.0/fo/scan/?action=list");
        r.StatusCode.ShouldBe(HttpStatusCode.OK);
        var text = await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Should.Throw<System.Xml.XmlException>(() => EmulatorFixture.ParseXml(text));
    }

    [Theory]
    [InlineData("scan_error", "Error")]
    [InlineData("scan_canceled", "Canceled")]
    [InlineData("scan_stuck_queued", "Queued")]
    [InlineData("scan_stuck_paused", "Paused")]
    public async Task ScanFate_OnLaunch_EndsInThatState(string kind, string finalState)
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.AddFault(new FaultRule { Path = "/api/2.0/fo/scan/", Action = "launch", Kind = kind, Calls = [1] });
        var faulted = await f.LaunchAsync();
        var normal = await f.LaunchAsync();
        f.Advance(86_400);
        (await f.StateAsync(faulted)).ShouldBe(finalState);
        (await f.StateAsync(normal)).ShouldBe("Finished");
        if (kind == "scan_stuck_paused")
        {
            (await f.PostAsync($"api/2.0/fo/scan/?action=resume&scan_ref={faulted}")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await f.StateAsync(faulted)).ShouldBe("Paused");
        }
    }

    [Fact]
    public async Task ControlApi_PostFault_TakesEffectAndRequestLogHidesCredentials()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var content = new StringContent("""{"path":"/msp/about.php","kind":"http_500","calls":[1]}""", System.Text.Encoding.UTF8, "application/json");
        using var created = await f.Client.PostAsync("_emulator/faults", content, TestContext.Current.CancellationToken);
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await f.GetAsync("msp/about.php")).StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await f.GetAsync("msp/about.php")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await f.Client.PostAsync("api/2.0/fo/session/", new FormUrlEncodedContent([new("action", "login"), new("username", "demo"), new("password", "demo")]), TestContext.Current.CancellationToken)).Dispose();

        var log = await f.Client.GetStringAsync("_emulator/requests", TestContext.Current.CancellationToken);
        log.ShouldNotContain("Authorization", Case.Insensitive);
        log.ShouldNotContain("ZGVtbzpkZW1v"); // base64 of demo:demo
        log.ShouldContain("\"password\": \"***\"");
        log.ShouldContain("X-Requested-With");
        using var doc = System.Text.Json.JsonDocument.Parse(log);
        doc.RootElement.EnumerateArray().Select(e => e.GetProperty("status").GetInt32()).ShouldBe([500, 200, 200]);

        using var bad = new StringContent("""{"kind":"nope"}""", System.Text.Encoding.UTF8, "application/json");
        using var refused = await f.Client.PostAsync("_emulator/faults", bad, TestContext.Current.CancellationToken);
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("nope");
    }

    [Fact]
    public async Task Reset_ForgetsScansAndRequests()
    {
        await using var f = await EmulatorFixture.StartAsync();
        await f.LaunchAsync();
        (await f.PostAsync("_emulator/reset")).StatusCode.ShouldBe(HttpStatusCode.OK);
        f.State.Requests.ShouldBeEmpty();
        using var list = await f.GetAsync("api/2.0/fo/scan/?action=list");
        (await EmulatorFixture.ReadXmlAsync(list)).Descendants("SCAN").ShouldBeEmpty();
    }
}
