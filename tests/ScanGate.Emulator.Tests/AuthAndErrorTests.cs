using System.Net;
using System.Text;

namespace ScanGate.Emulator.Tests;

public sealed class AuthAndErrorTests
{
    [Fact]
    public async Task Fo_WrongPassword_Is401WithSimpleReturn2000AsRecorded()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/2.0/fo/scan/?action=list");
        request.Headers.Authorization = EmulatorFixture.Basic("demo", "wrong");
        using var response = await f.Client.SendAsync(request, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        // Recorded (JupiterOne verifyAuthenticationInaccesible): text/xml;charset=UTF-8, with the prolog (only 400s lack it).
        response.Content.Headers.NonValidated["Content-Type"].ToString().ShouldBe("text/xml;charset=UTF-8");
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        body.ShouldStartWith("<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<!DOCTYPE SIMPLE_RETURN SYSTEM");
        body.ShouldEndWith("</SIMPLE_RETURN>\n");
        var doc = EmulatorFixture.ParseXml(body);
        doc.Root!.Element("RESPONSE")!.Elements().Select(e => e.Name.LocalName).ShouldBe(["DATETIME", "CODE", "TEXT"]);
        doc.Root.Element("RESPONSE")!.Element("CODE")!.Value.ShouldBe("2000");
    }

    [Fact]
    public async Task Fo_MissingXRequestedWith_IsRefusedWith400()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var client = new HttpClient { BaseAddress = f.Emulator.BaseUrl };
        client.DefaultRequestHeaders.Authorization = EmulatorFixture.Basic("demo", "demo");
        using var response = await client.GetAsync("api/2.0/fo/scan/?action=list", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("X-Requested-With");
    }

    [Theory]
    [InlineData("expired", HttpStatusCode.OK, "2001")]
    [InlineData("inactive", HttpStatusCode.Unauthorized, "2002")]
    [InlineData("registration_pending", HttpStatusCode.Conflict, "2003")]
    [InlineData("license", HttpStatusCode.Forbidden, "2012")]
    public async Task Fo_AccountState_GivesDocumentedCodeAndStatus(string accountState, HttpStatusCode status, string code)
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.State.SetAccountState("demo", accountState);
        using var response = await f.GetAsync("api/2.0/fo/scan/?action=list");

        response.StatusCode.ShouldBe(status);
        (await EmulatorFixture.ReadXmlAsync(response)).Descendants("CODE").Single().Value.ShouldBe(code);
    }

    [Fact]
    public async Task Qps_WrongPassword_Is200WithInvalidCredentials()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "qps/rest/portal/version");
        request.Headers.Authorization = EmulatorFixture.Basic("demo", "nope");
        using var response = await f.Client.SendAsync(request, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var doc = await EmulatorFixture.ReadXmlAsync(response);
        doc.Root!.Element("responseCode")!.Value.ShouldBe("INVALID_CREDENTIALS");
        doc.Root.Element("responseErrorDetails")!.Element("errorMessage")!.Value.ShouldBe("Authentication failed");
        response.Headers.Contains("X-RateLimit-Limit").ShouldBeFalse();
    }

    [Fact]
    public async Task Gateway_Auth_Returns201JwtWithModulesAllowedInBase64UrlPayload()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var form = new FormUrlEncodedContent([new("username", "demo"), new("password", "demo"), new("token", "true")]);
        using var response = await f.Client.PostAsync("auth", form, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var jwt = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var parts = jwt.Split('.');
        parts.Length.ShouldBe(3);
        parts[1].ShouldNotContain("=");
        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(payload));
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        doc.RootElement.GetProperty("modulesAllowed").EnumerateArray().Select(e => e.GetString()).ShouldContain(m => m == "VM");

        using var bad = new FormUrlEncodedContent([new("username", "demo"), new("password", "x")]);
        using var refused = await f.Client.PostAsync("auth", bad, TestContext.Current.CancellationToken);
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Session_LoginCookieThenLogout_AuthenticatesOnlyWhileLoggedIn()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var handler = new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() };
        using var client = new HttpClient(handler) { BaseAddress = f.Emulator.BaseUrl };
        client.DefaultRequestHeaders.Add("X-Requested-With", "tests");
        using var login = await client.PostAsync("api/2.0/fo/session/",
            new FormUrlEncodedContent([new("action", "login"), new("username", "demo"), new("password", "demo")]), TestContext.Current.CancellationToken);
        login.StatusCode.ShouldBe(HttpStatusCode.OK);
        login.Headers.Contains("X-RateLimit-Limit").ShouldBeFalse();
        (await EmulatorFixture.ReadXmlAsync(login)).Descendants("TEXT").Single().Value.ShouldBe("Logged in");

        using (var list = await client.GetAsync("api/2.0/fo/scan/?action=list", TestContext.Current.CancellationToken))
        {
            list.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var logout = await client.PostAsync("api/2.0/fo/session/", new FormUrlEncodedContent([new("action", "logout")]), TestContext.Current.CancellationToken);
        logout.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var after = await client.GetAsync("api/2.0/fo/scan/?action=list", TestContext.Current.CancellationToken);
        after.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task About_ReturnsWebVersionWithMajorAtLeast8()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var response = await f.GetAsync("msp/about.php");
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        text.ShouldStartWith("<?xml version=\"1.0\" encoding=\"UTF-8\" ?>");
        var version = EmulatorFixture.ParseXml(text).Root!.Element("WEB-VERSION")!.Value;
        int.Parse(version.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(8);
    }

    [Fact]
    public async Task PortalVersion_ReturnsServiceResponseWithQWebVersion()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var response = await f.GetAsync("qps/rest/portal/version");
        var doc = await EmulatorFixture.ReadXmlAsync(response);
        doc.Root!.Element("responseCode")!.Value.ShouldBe("SUCCESS");
        doc.Descendants("QWeb-Version").Single().Element("WEB-VERSION").ShouldNotBeNull();
    }

    [Fact]
    public async Task Scenario_UnknownKey_IsRefusedNamingTheLine()
    {
        var ex = await Should.ThrowAsync<ScenarioException>(() => QualysEmulator.StartAsync(
            new EmulatorOptions { ScenarioYaml = "users:\n  - username: a\n    password: b\n    pasword: c\n" }, TestContext.Current.CancellationToken));
        ex.Message.ShouldContain("line 4");
    }

    [Fact]
    public async Task Scenario_BadFaultKind_IsRefusedNamingTheValue()
    {
        var ex = await Should.ThrowAsync<ScenarioException>(() => QualysEmulator.StartAsync(
            new EmulatorOptions { ScenarioYaml = "users: [{username: a, password: b}]\nfaults: [{kind: explode}]\n" }, TestContext.Current.CancellationToken));
        ex.Message.ShouldContain("'explode'");
    }
}
