using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using ScanGate.Infrastructure;
using ScanGate.Qualys;

namespace ScanGate.Core.Tests.Qualys;

public sealed class QualysTransportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Request_CarriesBasicAuthRequestedWithUserAgentAndGzip()
    {
        var handler = new FakeQualysHandler().On("/fo/scan/", Respond.Xml(Respond.ScanList()));
        using var client = TestClients.Create(handler);

        await client.Scans.ListAsync(new ScanListQuery(), Ct);

        var r = handler.Requests.Single().Message;
        r.Headers.Authorization!.Scheme.ShouldBe("Basic");
        Encoding.UTF8.GetString(Convert.FromBase64String(r.Headers.Authorization.Parameter!)).ShouldBe($"acme_ab12:{TestClients.Password}");
        r.Headers.GetValues("X-Requested-With").Single().ShouldBe("ScanGate");
        r.Headers.UserAgent.ToString().ShouldBe($"ScanGate/{ToolInfo.Version}");
        r.Headers.AcceptEncoding.Select(e => e.Value).ShouldContain(v => v == "gzip");
    }

    [Fact]
    public async Task Logs_NeverContainPasswordOrAuthorization()
    {
        var logger = new ListLogger();
        var jwt = "e30." + Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"modulesAllowed\":[\"VM\"]}")).TrimEnd('=') + ".x";
        var handler = new FakeQualysHandler()
            .On("/auth", _ => new HttpResponseMessage(HttpStatusCode.Created) { Content = new StringContent(jwt) })
            .On("/fo/scan/", Respond.Error(HttpStatusCode.Unauthorized, 2000, "Bad Login/Password"));
        using var client = TestClients.Create(handler, logger: logger);

        await client.TestConnectionAsync(Ct);
        var ex = await Should.ThrowAsync<QualysApiException>(() => client.Scans.ListAsync(new ScanListQuery(), Ct));

        logger.Entries.ShouldNotBeEmpty();
        logger.All.ShouldContain("/auth");
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"acme_ab12:{TestClients.Password}"));
        foreach (var text in new[] { logger.All, ex.ToString() })
        {
            text.ShouldNotContain(TestClients.Password);
            text.ShouldNotContain(basic);
            text.ShouldNotContain("Authorization", Case.Insensitive);
        }
    }

    public static TheoryData<Exception, QualysConnectionFailure, string> Failures => new()
    {
        { new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known (qualysapi.qualys.com:443)", new SocketException((int)SocketError.HostNotFound)), QualysConnectionFailure.Dns, "does not resolve" },
        { new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused", new SocketException((int)SocketError.ConnectionRefused)), QualysConnectionFailure.Refused, "firewall" },
        { new HttpRequestException(HttpRequestError.SecureConnectionError, "The SSL connection could not be established", new AuthenticationException("RemoteCertificateChainErrors")), QualysConnectionFailure.Tls, "ca-bundle" },
        { new HttpRequestException(HttpRequestError.ProxyTunnelError, "The proxy tunnel request to proxy 'http://proxy:3128/' failed with status code '403'."), QualysConnectionFailure.Proxy, "proxy" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task ConnectionFailure_NamesHostAndLikelyCause(Exception failure, QualysConnectionFailure kind, string cause)
    {
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time).On("/fo/scan/", Respond.Throw(failure));
        var o = TestClients.Options();
        using var client = TestClients.Create(handler, time, options: new QualysClientOptions { Platform = o.Platform, Username = o.Username, Password = o.Password, MaxTransientRetries = 0 });

        var ex = await Should.ThrowAsync<QualysConnectionException>(() => client.Scans.ListAsync(new ScanListQuery(), Ct));

        ex.Failure.ShouldBe(kind);
        ex.Host.ShouldBe("qualysapi.qualys.com");
        ex.Message.ShouldContain("qualysapi.qualys.com");
        ex.Message.ShouldContain(cause);
    }

    [Fact]
    public async Task TlsFailure_IsNeverRetried()
    {
        var handler = new FakeQualysHandler().On("/fo/scan/", Respond.Throw(new HttpRequestException(HttpRequestError.SecureConnectionError, "ssl", new AuthenticationException("bad chain"))));
        using var client = TestClients.Create(handler);

        await Should.ThrowAsync<QualysConnectionException>(() => client.Scans.ListAsync(new ScanListQuery(), Ct));

        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task ProxyAuthRequired407_IsAProxyConnectionError()
    {
        var handler = new FakeQualysHandler().On("/fo/scan/", Respond.Xml(HttpStatusCode.ProxyAuthenticationRequired, "<html>auth</html>", "text/html"));
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysConnectionException>(() => client.Scans.ListAsync(new ScanListQuery(), Ct));

        ex.Failure.ShouldBe(QualysConnectionFailure.Proxy);
        ex.Message.ShouldContain("407");
    }

    [Fact]
    public void Proxy_FromEnvironment_UsesHttpsProxyWithCredentialsAndHonoursNoProxy()
    {
        var env = new DictionaryEnvironment(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HTTPS_PROXY"] = "http://bob:p%40ss@proxy.corp:3128",
            ["HTTP_PROXY"] = "http://plain.corp:8080",
            ["NO_PROXY"] = ".internal.example, qualysapi.private.example",
        });

        var proxy = QualysHttpHandlerFactory.CreateProxy(null, env)!;

        proxy.GetProxy(new Uri("https://qualysapi.qualys.com/api"))!.ToString().ShouldBe("http://proxy.corp:3128/");
        proxy.GetProxy(new Uri("http://other.example/"))!.ToString().ShouldBe("http://plain.corp:8080/");
        proxy.IsBypassed(new Uri("https://a.internal.example/")).ShouldBeTrue();
        proxy.IsBypassed(new Uri("https://qualysapi.private.example/")).ShouldBeTrue();
        proxy.IsBypassed(new Uri("http://127.0.0.1:5000/")).ShouldBeTrue();
        proxy.IsBypassed(new Uri("https://qualysapi.qualys.com/")).ShouldBeFalse();
        var cred = proxy.Credentials!.GetCredential(new Uri("http://proxy.corp:3128"), "Basic")!;
        (cred.UserName, cred.Password).ShouldBe(("bob", "p@ss"));
        proxy.GetProxy(new Uri("https://qualysapi.qualys.com/"))!.UserInfo.ShouldBeEmpty();
    }

    [Fact]
    public void Proxy_NoneConfigured_IsDirect()
    {
        QualysHttpHandlerFactory.CreateProxy(null, new DictionaryEnvironment()).ShouldBeNull();
    }

    [Fact]
    public void Proxy_Explicit_WinsOverEnvironmentAndHidesItsPassword()
    {
        var env = new DictionaryEnvironment(new Dictionary<string, string>(StringComparer.Ordinal) { ["HTTPS_PROXY"] = "http://env.corp:1" });
        var options = new QualysProxyOptions { Url = new Uri("http://explicit.corp:3128"), Username = "u", Password = "proxy-secret" };

        var proxy = QualysHttpHandlerFactory.CreateProxy(options, env)!;

        proxy.GetProxy(new Uri("https://qualysapi.qualys.com/"))!.Host.ShouldBe("explicit.corp");
        proxy.Credentials!.GetCredential(new Uri("http://explicit.corp:3128"), "Basic")!.Password.ShouldBe("proxy-secret");
        options.ToString().ShouldBe("explicit.corp:3128");
    }

    [Fact]
    public void Proxy_BadEnvironmentValue_NamesTheVariableNotTheValue()
    {
        var env = new DictionaryEnvironment(new Dictionary<string, string>(StringComparer.Ordinal) { ["HTTPS_PROXY"] = "http://us:secretpw@[bad" });

        var ex = Should.Throw<ArgumentException>(() => QualysHttpHandlerFactory.CreateProxy(null, env));

        ex.Message.ShouldContain("HTTPS_PROXY");
        ex.Message.ShouldNotContain("secretpw");
    }

    [Fact]
    public void Handler_DecompressesAndKeepsVerificationOn()
    {
        using var handler = (SocketsHttpHandler)QualysHttpHandlerFactory.Create(TestClients.Options(), new DictionaryEnvironment());

        handler.AutomaticDecompression.ShouldBe(DecompressionMethods.All);
        handler.SslOptions.RemoteCertificateValidationCallback.ShouldBeNull();
        handler.AllowAutoRedirect.ShouldBeFalse();
    }

    [Fact]
    public void Handler_MissingCaBundle_FailsNamingTheFile()
    {
        var o = TestClients.Options();
        var options = new QualysClientOptions { Platform = o.Platform, Username = o.Username, Password = o.Password, CaBundlePath = "/nonexistent/ca.pem" };

        Should.Throw<ArgumentException>(() => QualysHttpHandlerFactory.Create(options, new DictionaryEnvironment())).Message.ShouldContain("/nonexistent/ca.pem");
    }

    [Fact]
    public void CaBundle_NameMismatch_IsRejectedEvenWithCustomRoots()
    {
        var roots = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();

        QualysHttpHandlerFactory.Validate(null, System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch, roots).ShouldBeFalse();
        QualysHttpHandlerFactory.Validate(null, System.Net.Security.SslPolicyErrors.None, roots).ShouldBeTrue();
    }

    [Theory]
    [InlineData("", "p", "username")]
    [InlineData("u", "", "password")]
    public void Options_MissingCredentials_FailNamingTheField(string user, string password, string field)
    {
        var options = new QualysClientOptions { Platform = QualysPlatform.Resolve("US1"), Username = user, Password = password };

        Should.Throw<ArgumentException>(() => new QualysClient(options, new FakeQualysHandler())).Message.ShouldStartWith(field);
    }
}
