using ScanGate.Qualys;

namespace ScanGate.Core.Tests.Qualys;

public sealed class QualysPlatformTests
{
    [Theory]
    [InlineData("US1", "https://qualysapi.qualys.com/", "https://gateway.qg1.apps.qualys.com/")]
    [InlineData("us3", "https://qualysapi.qg3.apps.qualys.com/", "https://gateway.qg3.apps.qualys.com/")]
    [InlineData("US4", "https://qualysapi.qg4.apps.qualys.com/", "https://gateway.qg4.apps.qualys.com/")]
    [InlineData("EU1", "https://qualysapi.qualys.eu/", "https://gateway.qg1.apps.qualys.eu/")]
    [InlineData("EU3", "https://qualysapi.qg3.apps.qualys.it/", "https://gateway.qg3.apps.qualys.it/")]
    [InlineData("IN1", "https://qualysapi.qg1.apps.qualys.in/", "https://gateway.qg1.apps.qualys.in/")]
    [InlineData("CA1", "https://qualysapi.qg1.apps.qualys.ca/", "https://gateway.qg1.apps.qualys.ca/")]
    [InlineData("AE1", "https://qualysapi.qg1.apps.qualys.ae/", "https://gateway.qg1.apps.qualys.ae/")]
    [InlineData("UK1", "https://qualysapi.qg1.apps.qualys.co.uk/", "https://gateway.qg1.apps.qualys.co.uk/")]
    [InlineData("AU1", "https://qualysapi.qg1.apps.qualys.com.au/", "https://gateway.qg1.apps.qualys.com.au/")]
    [InlineData("KSA1", "https://qualysapi.qg1.apps.qualysksa.com/", "https://gateway.qg1.apps.qualysksa.com/")]
    [InlineData("US_PLATFORM_2", "https://qualysapi.qg2.apps.qualys.com/", "https://gateway.qg2.apps.qualys.com/")]
    [InlineData("INDIA_PLATFORM", "https://qualysapi.qg1.apps.qualys.in/", "https://gateway.qg1.apps.qualys.in/")]
    [InlineData("CANADA_PLATFORM", "https://qualysapi.qg1.apps.qualys.ca/", "https://gateway.qg1.apps.qualys.ca/")]
    [InlineData("AE_PLATFORM", "https://qualysapi.qg1.apps.qualys.ae/", "https://gateway.qg1.apps.qualys.ae/")]
    [InlineData("EU_PLATFORM_2", "https://qualysapi.qg2.apps.qualys.eu/", "https://gateway.qg2.apps.qualys.eu/")]
    public void Resolve_Code_GivesApiAndGateway(string code, string api, string gateway)
    {
        var p = QualysPlatform.Resolve(code);

        (p.ApiUrl.ToString(), p.GatewayUrl.ToString(), p.IsCustom).ShouldBe((api, gateway, false));
    }

    [Theory]
    [InlineData("https://qualysguard.qg2.apps.qualys.com", "US2")]
    [InlineData("https://qualysguard.qualys.eu/fo/", "EU1")]
    [InlineData("https://qualysapi.qg3.apps.qualys.com/", "US3")]
    [InlineData("https://gateway.qg1.apps.qualys.co.uk", "UK1")]
    public void Resolve_KnownUrlOrPortal_MapsToThePod(string url, string code)
    {
        var p = QualysPlatform.Resolve(url);

        p.Code.ShouldBe(code);
        p.ApiUrl.Host.ShouldStartWith("qualysapi.");
    }

    [Fact]
    public void Resolve_PortalOfPrivateCloud_BecomesItsApiHost()
    {
        var p = QualysPlatform.Resolve("https://qualysguard.acme-private.example");

        (p.Code, p.ApiUrl.ToString(), p.GatewayUrl.ToString(), p.IsCustom).ShouldBe(("CUSTOM", "https://qualysapi.acme-private.example/", "https://qualysapi.acme-private.example/", true));
    }

    [Fact]
    public void Resolve_PcpWithUrl_IsCustom()
    {
        QualysPlatform.Resolve("PCP", "https://qualysapi.acme.example").ApiUrl.ToString().ShouldBe("https://qualysapi.acme.example/");
    }

    [Fact]
    public void Resolve_LoopbackEmulator_AllowsHttpAndKeepsGatewayOnTheSameBase()
    {
        var p = QualysPlatform.Resolve("http://127.0.0.1:5123/");

        (p.ApiUrl.ToString(), p.GatewayUrl.ToString(), p.IsCustom).ShouldBe(("http://127.0.0.1:5123/", "http://127.0.0.1:5123/", true));
    }

    [Theory]
    [InlineData("http://qualysapi.acme.example", "plain http")]
    [InlineData("https://user:pw@qualysapi.acme.example", "user name or password")]
    [InlineData("US9", "unknown platform 'US9'")]
    [InlineData("PCP", "needs an API URL")]
    [InlineData("ftp://x", "not an absolute http(s) URL")]
    public void Resolve_Bad_FailsNamingTheProblem(string value, string message)
    {
        var ex = Should.Throw<ArgumentException>(() => QualysPlatform.Resolve(value));

        ex.Message.ShouldContain(message);
        ex.Message.ShouldNotContain("pw@");
    }
}
