using System.Net;
using System.Text;
using ScanGate.Qualys;

namespace ScanGate.Core.Tests.Qualys;

/// <summary>Every call against hand-made responses shaped like qualys-api.md samples.</summary>
public sealed class QualysCallsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Jwt(string payloadJson)
    {
        static string B64Url(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{B64Url(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\"}"))}.{B64Url(Encoding.UTF8.GetBytes(payloadJson))}.c2ln";
    }

    [Fact]
    public async Task TestConnection_PublicPodJwtWithVm_PostsCredentialsToGatewayAndSucceeds()
    {
        // "??>" and "?~" give '-' and '_' in base64url: the plugin's plain-base64 decode would choke on them.
        var jwt = Jwt("{\"sub\":\"??>?~\",\"modulesAllowed\":[\"PC\",\"VM\",\"CA\"]}");
        jwt.Split('.')[1].ShouldMatch("[-_]");
        var handler = new FakeQualysHandler().On("/auth", _ => new HttpResponseMessage(HttpStatusCode.Created) { Content = new StringContent(jwt) });
        using var client = TestClients.Create(handler);

        var check = await client.TestConnectionAsync(Ct);

        check.Method.ShouldBe("gateway");
        check.Modules.ShouldBe(["PC", "VM", "CA"]);
        var request = handler.Requests.Single();
        request.Url.ToString().ShouldBe("https://gateway.qg1.apps.qualys.com/auth");
        request.Method.ShouldBe(HttpMethod.Post);
        request.Form("username").ShouldBe("acme_ab12");
        request.Form("password").ShouldBe(TestClients.Password);
        request.Form("token").ShouldBe("true");
        request.Message.Headers.Authorization.ShouldBeNull();
    }

    [Fact]
    public async Task TestConnection_JwtWithoutVm_FailsNamingTheModules()
    {
        var handler = new FakeQualysHandler().On("/auth", _ => new HttpResponseMessage(HttpStatusCode.Created) { Content = new StringContent(Jwt("{\"modulesAllowed\":\"[PC, VMDR_LITE]\"}")) });
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysApiException>(() => client.TestConnectionAsync(Ct));

        ex.Message.ShouldContain("VM module is not enabled");
        ex.Message.ShouldContain("PC, VMDR_LITE");
    }

    [Fact]
    public async Task TestConnection_GatewayRejects_SaysWrongCredentialsOrPlatform()
    {
        var handler = new FakeQualysHandler().On("/auth", _ => new HttpResponseMessage(HttpStatusCode.Unauthorized));
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysApiException>(() => client.TestConnectionAsync(Ct));

        ex.HttpStatus.ShouldBe(401);
        ex.Message.ShouldContain("platform");
        ex.Message.ShouldNotContain(TestClients.Password);
    }

    [Theory]
    [InlineData("10.35.0.0-1", true)]
    [InlineData("8.0", true)]
    [InlineData("7.10.61-1", false)]
    public async Task TestConnection_CustomUrl_UsesAboutPhpAndNeedsVersion8(string version, bool ok)
    {
        var about = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<!DOCTYPE ABOUT SYSTEM \"https://qualysapi.qualys.com/about.dtd\">\n" +
                    $"<ABOUT><API-VERSION MAJOR=\"1\" MINOR=\"4\" /><WEB-VERSION>{version}</WEB-VERSION>\n  <SCANNER-VERSION>7.1.10-1</SCANNER-VERSION></ABOUT>\n" +
                    "<!-- Generated for username=\"my_username\" date=\"2013-07-03T10:31:57Z\" -->\n<!-- CONFIDENTIAL AND PROPRIETARY INFORMATION. //-->";
        var handler = new FakeQualysHandler().On("/msp/about.php", Respond.Xml(about, "text/xml;charset=UTF-8"));
        using var client = TestClients.Create(handler, options: TestClients.Options("https://qualysapi.private.example.com"));

        if (ok)
        {
            var check = await client.TestConnectionAsync(Ct);
            check.Method.ShouldBe("about");
            check.WebVersion.ShouldBe(version);
        }
        else
        {
            var ex = await Should.ThrowAsync<QualysApiException>(() => client.TestConnectionAsync(Ct));
            ex.Message.ShouldContain("older than 8");
        }

        handler.Requests.Single().Url.ToString().ShouldBe("https://qualysapi.private.example.com/msp/about.php");
    }

    private const string Appliances =
        "<APPLIANCE_LIST_OUTPUT><RESPONSE><DATETIME>2025-01-01T00:00:00Z</DATETIME><APPLIANCE_LIST>" +
        "<APPLIANCE><ID>11223</ID><UUID>f0e2</UUID><NAME>dmz-scanner</NAME><NETWORK_ID>1002</NETWORK_ID><STATUS>Online</STATUS><TYPE>Virtual</TYPE>" +
        "<ML_VERSION updated=\"yes\">12.7.50-1</ML_VERSION></APPLIANCE>" +
        "<APPLIANCE><ID>11224</ID><NAME>aws-scanner</NAME><STATUS>Offline</STATUS><CLOUD_INFO><PLATFORM_PROVIDER>ec2</PLATFORM_PROVIDER>" +
        "<EC2_INFO><INSTANCE_ID>i-1</INSTANCE_ID><ACCOUNT_ID>123456789012</ACCOUNT_ID><INSTANCE_REGION>us-east-1</INSTANCE_REGION></EC2_INFO></CLOUD_INFO></APPLIANCE>" +
        "</APPLIANCE_LIST></RESPONSE></APPLIANCE_LIST_OUTPUT>";

    [Fact]
    public async Task ListAppliances_WithNetwork_SendsNetworkIdAndParsesEveryAppliance()
    {
        var handler = new FakeQualysHandler().On("/api/2.0/fo/appliance/", Respond.Xml(Appliances));
        using var client = TestClients.Create(handler);

        var list = await client.Catalog.ListAppliancesAsync("1002", Ct);

        list.Select(a => (a.Name, a.Status)).ShouldBe([("dmz-scanner", "Online"), ("aws-scanner", "Offline")]);
        list[0].NetworkId.ShouldBe("1002");
        var r = handler.Requests.Single();
        r.Method.ShouldBe(HttpMethod.Get);
        (r.Query("action"), r.Query("output_mode"), r.Query("network_id")).ShouldBe(("list", "full", "1002"));
    }

    [Fact]
    public async Task ListEc2Appliances_SendsPlatformProviderAndReadsCloudInfo()
    {
        var handler = new FakeQualysHandler().On("/api/2.0/fo/appliance/", Respond.Xml(Appliances));
        using var client = TestClients.Create(handler);

        var list = await client.Catalog.ListEc2AppliancesAsync(Ct);

        list[1].CloudAccountId.ShouldBe("123456789012");
        list[1].CloudRegion.ShouldBe("us-east-1");
        list[1].PlatformProvider.ShouldBe("ec2");
        var r = handler.Requests.Single();
        (r.Query("platform_provider"), r.Query("include_cloud_info"), r.Query("network_id")).ShouldBe(("ec2", "1", null));
    }

    private static string Profiles(params string[] titles) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<!DOCTYPE OPTION_PROFILES SYSTEM \"https://qualysapi.qualys.com/api/2.0/fo/subscription/option_profile/option_profile_info.dtd\">\n<OPTION_PROFILES>" +
        string.Concat(titles.Select((t, i) => $"<OPTION_PROFILE>\n    <BASIC_INFO><ID>{5145 + i}</ID><GROUP_NAME>\n      <![CDATA[{t}]]>\n    </GROUP_NAME><GROUP_TYPE>user</GROUP_TYPE><IS_DEFAULT>{(i == 0 ? 1 : 0)}</IS_DEFAULT><IS_GLOBAL>1</IS_GLOBAL></BASIC_INFO>\n  </OPTION_PROFILE>")) +
        "</OPTION_PROFILES>";

    [Fact]
    public async Task ListOptionProfiles_PciForbidden_ReturnsVmProfilesAndTheReason()
    {
        var handler = new FakeQualysHandler()
            .On("/option_profile/vm/", Respond.Xml(Profiles("Initial Options", "user op - 1")))
            .On("/option_profile/pci/", Respond.Xml(HttpStatusCode.Forbidden, string.Empty, "text/html"));
        using var client = TestClients.Create(handler);

        var result = await client.Catalog.ListOptionProfilesAsync(Ct);

        result.Profiles.Select(p => p.Title).ShouldBe(["Initial Options", "user op - 1"]);
        result.Profiles[0].IsDefault.ShouldBeTrue();
        result.PciUnavailable!.HttpStatus.ShouldBe(403);
    }

    [Fact]
    public async Task ListOptionProfiles_BothKinds_AreMergedWithTheirKind()
    {
        var handler = new FakeQualysHandler()
            .On("/option_profile/vm/", Respond.Xml(Profiles("Initial Options")))
            .On("/option_profile/pci/", Respond.Xml(Profiles("PCI Options")));
        using var client = TestClients.Create(handler);

        var result = await client.Catalog.ListOptionProfilesAsync(Ct);

        result.Profiles.Select(p => (p.Title, p.Kind)).ShouldBe([("Initial Options", OptionProfileKind.Vm), ("PCI Options", OptionProfileKind.Pci)]);
        result.PciUnavailable.ShouldBeNull();
    }

    [Fact]
    public async Task ListOptionProfiles_VmFails_Throws()
    {
        var handler = new FakeQualysHandler().On("/option_profile/", Respond.Error(HttpStatusCode.Unauthorized, 2000, "Bad Login/Password"));
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysApiException>(() => client.Catalog.ListOptionProfilesAsync(Ct));

        ex.Code.ShouldBe(2000);
    }

    [Fact]
    public async Task ListNetworks_SingleAndMultiChildLists_AreParsed()
    {
        var xml = "<NETWORK_LIST_OUTPUT><RESPONSE><DATETIME>2025-01-01T00:00:00Z</DATETIME><NETWORK_LIST>" +
                  "<NETWORK><ID>1002</ID><NAME><![CDATA[DMZ]]></NAME><SCANNER_APPLIANCE_LIST><SCANNER_APPLIANCE><ID>506</ID><NAME>dmz-scanner</NAME></SCANNER_APPLIANCE></SCANNER_APPLIANCE_LIST></NETWORK>" +
                  "<NETWORK><ID>1003</ID><NAME><![CDATA[Lab & Test]]></NAME><SCANNER_APPLIANCE_LIST><SCANNER_APPLIANCE><ID>1</ID><NAME>a</NAME></SCANNER_APPLIANCE><SCANNER_APPLIANCE><ID>2</ID><NAME>b</NAME></SCANNER_APPLIANCE></SCANNER_APPLIANCE_LIST></NETWORK>" +
                  "</NETWORK_LIST></RESPONSE></NETWORK_LIST_OUTPUT>";
        var handler = new FakeQualysHandler().On("/api/2.0/fo/network/", Respond.Xml(xml));
        using var client = TestClients.Create(handler);

        var networks = await client.Catalog.ListNetworksAsync(Ct);

        networks.Select(n => (n.Id, n.Name)).ShouldBe([("1002", "DMZ"), ("1003", "Lab & Test")]);
        networks[0].ApplianceNames.ShouldBe(["dmz-scanner"]);
        networks[1].ApplianceNames.ShouldBe(["a", "b"]);
    }

    [Fact]
    public async Task ListNetworks_FeatureDisabled403_IsATypedError()
    {
        var handler = new FakeQualysHandler().On("/api/2.0/fo/network/", Respond.Error(HttpStatusCode.Forbidden, 2012, "User license is not authorized to run this API"));
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysApiException>(() => client.Catalog.ListNetworksAsync(Ct));

        ex.HttpStatus.ShouldBe(403);
        ex.Hint!.ShouldContain("license");
    }

    [Fact]
    public async Task LaunchScan_Host_PostsFormBodyInPluginOrderAndReadsReferenceByKey()
    {
        var reordered = Respond.LaunchOk.Replace("<ITEM><KEY>ID</KEY><VALUE>136992</VALUE></ITEM>", string.Empty, StringComparison.Ordinal)
            .Replace("</ITEM_LIST>", "<ITEM><KEY>ID</KEY><VALUE>136992</VALUE></ITEM></ITEM_LIST>", StringComparison.Ordinal);
        var handler = new FakeQualysHandler().On("/api/2.0/fo/scan/", Respond.Xml(reordered));
        using var client = TestClients.Create(handler);

        var result = await client.Scans.LaunchAsync(new ScanLaunchRequest
        {
            Title = "folder/app_jenkins_build_42 & <x>",
            OptionProfile = "Initial Options",
            ScannerName = "External",
            Ip = "10.0.0.5",
            NetworkId = "1002",
        }, Ct);

        result.ScanRef.ShouldBe("scan/1358285558.36992");
        result.ScanId.ShouldBe(136992);
        var r = handler.Requests.Single();
        r.Method.ShouldBe(HttpMethod.Post);
        r.Url.Query.ShouldBeEmpty();
        r.Message.Content!.Headers.ContentType!.MediaType.ShouldBe("application/x-www-form-urlencoded");
        r.Body.Split('&').Select(p => p.Split('=')[0]).ShouldBe(["action", "scan_title", "option_title", "iscanner_name", "ip", "ip_network_id"]);
        r.Form("scan_title").ShouldBe("folder/app_jenkins_build_42 & <x>");
        r.Form("ip_network_id").ShouldBe("1002");
    }

    [Fact]
    public async Task LaunchScan_Ec2AllScannersInNetwork_SendsEc2Parameters()
    {
        var handler = new FakeQualysHandler().On("/api/2.0/fo/scan/", Respond.Xml(Respond.LaunchOk));
        using var client = TestClients.Create(handler);

        await client.Scans.LaunchAsync(new ScanLaunchRequest
        {
            Title = "t1", OptionProfile = "Initial Options", ScannerName = "ignored", ScannersInNetwork = true, NetworkId = "7",
            Ec2InstanceId = "i-02751173c463c34e8", ConnectorName = "prod-aws", Ec2Endpoint = "us-east-1",
        }, Ct);

        var r = handler.Requests.Single();
        (r.Form("scanners_in_network"), r.Form("iscanner_name"), r.Form("ec2_instance_ids"), r.Form("connector_name"), r.Form("ec2_endpoint"), r.Form("ip"))
            .ShouldBe(("1", null, "i-02751173c463c34e8", "prod-aws", "us-east-1", null));
    }

    [Theory]
    [InlineData("", "Initial Options", "10.0.0.5", null, "scan title")]
    [InlineData("t", " ", "10.0.0.5", null, "option profile")]
    [InlineData("t", "o", null, null, "target")]
    [InlineData("t", "o", "10.0.0.5", "i-1", "target")]
    public async Task LaunchScan_InvalidRequest_FailsBeforeAnyCallNamingTheField(string title, string profile, string? ip, string? ec2, string field)
    {
        var handler = new FakeQualysHandler();
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<ArgumentException>(() => client.Scans.LaunchAsync(new ScanLaunchRequest { Title = title, OptionProfile = profile, Ip = ip, Ec2InstanceId = ec2, ConnectorName = "c", Ec2Endpoint = "r" }, Ct));

        ex.Message.ShouldStartWith(field);
        handler.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task LaunchScan_ParameterError1905On400WithoutProlog_IsTypedError()
    {
        var handler = new FakeQualysHandler().On("/api/2.0/fo/scan/", Respond.Error(HttpStatusCode.BadRequest, 1905, "parameter ip has invalid value: (Empty IP.)"));
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysApiException>(() => client.Scans.LaunchAsync(new ScanLaunchRequest { Title = "t", OptionProfile = "o", Ip = "10.0.0.5" }, Ct));

        (ex.HttpStatus, ex.Code, ex.Text).ShouldBe((400, 1905, "parameter ip has invalid value: (Empty IP.)"));
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task LaunchScan_LegacyGenericReturn_IsTypedError()
    {
        var handler = new FakeQualysHandler().On("/api/2.0/fo/scan/", Respond.Xml("<GENERIC_RETURN><API name=\"scan\" username=\"u\" at=\"2020\"/><RETURN status=\"FAILED\" number=\"1905\">bad ip</RETURN></GENERIC_RETURN>"));
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysApiException>(() => client.Scans.LaunchAsync(new ScanLaunchRequest { Title = "t", OptionProfile = "o", Ip = "10.0.0.5" }, Ct));

        (ex.Code, ex.Text).ShouldBe((1905, "bad ip"));
    }

    [Fact]
    public async Task GetScan_FinishedNoHost_ReadsStateSubStateAndTrimmedCdata()
    {
        var handler = new FakeQualysHandler().On("/api/3.0/fo/scan/", Respond.Xml(Respond.ScanList(("scan/1736361211.27337", "Cloud Perimeter Scan", "Finished", "No_Host"))));
        using var client = TestClients.Create(handler);

        var scan = await client.Scans.GetAsync("scan/1736361211.27337", Ct);

        scan.ShouldNotBeNull();
        (scan.State, scan.SubState, scan.Title, scan.Processed, scan.IsTerminal).ShouldBe(("Finished", "No_Host", "Cloud Perimeter Scan", true, true));
        scan.LaunchedAt.ShouldBe(new DateTimeOffset(2025, 1, 8, 18, 33, 31, TimeSpan.Zero));
        handler.Requests.Single().Query("scan_ref").ShouldBe("scan/1736361211.27337");
    }

    [Fact]
    public async Task GetScan_MissFromList_ReturnsNull()
    {
        var handler = new FakeQualysHandler().On("/fo/scan/", Respond.Xml(Respond.ScanList()));
        using var client = TestClients.Create(handler);

        (await client.Scans.GetAsync("scan/1.2", Ct)).ShouldBeNull();
    }

    [Theory]
    [InlineData("scan/1.2&action=cancel")]
    [InlineData("../etc")]
    [InlineData("")]
    public async Task GetScan_BadReference_IsRejectedBeforeAnyCall(string scanRef)
    {
        var handler = new FakeQualysHandler();
        using var client = TestClients.Create(handler);

        await Should.ThrowAsync<ArgumentException>(() => client.Scans.GetAsync(scanRef, Ct));
        handler.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task FindScansByTitle_FiltersExactTitleAndSendsLaunchedAfter()
    {
        var handler = new FakeQualysHandler().On("/fo/scan/", Respond.Xml(Respond.ScanList(("scan/1.1", "app_42", "Running", null), ("scan/1.2", "app_421", "Running", null), ("scan/1.3", "APP_42", "Running", null))));
        using var client = TestClients.Create(handler);

        var found = await client.Scans.FindByTitleAsync("app_42", new DateTimeOffset(2026, 11, 28, 3, 50, 0, TimeSpan.Zero), Ct);

        found.Select(s => s.Ref).ShouldBe(["scan/1.1"]);
        handler.Requests.Single().Query("launched_after_datetime").ShouldBe("2026-11-28T03:50:00Z");
    }

    [Theory]
    [InlineData("cancel")]
    [InlineData("pause")]
    [InlineData("resume")]
    public async Task ScanActions_PostActionAndRef(string action)
    {
        var handler = new FakeQualysHandler().On("/api/2.0/fo/scan/", action, Respond.Xml($"<SIMPLE_RETURN><RESPONSE><DATETIME>2025-01-01T00:00:00Z</DATETIME><TEXT>Scan {action} done</TEXT></RESPONSE></SIMPLE_RETURN>"));
        using var client = TestClients.Create(handler);

        var result = action switch
        {
            "cancel" => await client.Scans.CancelAsync("scan/1.2", Ct),
            "pause" => await client.Scans.PauseAsync("scan/1.2", Ct),
            _ => await client.Scans.ResumeAsync("scan/1.2", Ct),
        };

        result.Text.ShouldBe($"Scan {action} done");
        var r = handler.Requests.Single();
        r.Method.ShouldBe(HttpMethod.Post);
        (r.Form("action"), r.Form("scan_ref")).ShouldBe((action, "scan/1.2"));
    }

    [Fact]
    public async Task PauseScan_IllegalTransition_IsTypedError()
    {
        var handler = new FakeQualysHandler().On("/api/2.0/fo/scan/", Respond.Error(HttpStatusCode.BadRequest, 1907, "The following combination of key=value pairs is not supported: scan is Finished"));
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysApiException>(() => client.Scans.PauseAsync("scan/1.2", Ct));

        ex.Code.ShouldBe(1907);
    }

    private static string ConnectorPage(bool more, params (long Id, string Name, string State)[] connectors) =>
        "<ServiceResponse xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"https://qualysapi.qualys.com/qps/xsd/2.0/am/awsassetdataconnector.xsd\">" +
        $"<responseCode>SUCCESS</responseCode><count>{connectors.Length}</count><hasMoreRecords>{(more ? "true" : "false")}</hasMoreRecords><data>" +
        string.Concat(connectors.Select(c => $"<AwsAssetDataConnector><id>{c.Id}</id><name>{c.Name}</name><connectorState>{c.State}</connectorState><awsAccountId>123456789012</awsAccountId></AwsAssetDataConnector>")) +
        "</data></ServiceResponse>";

    [Fact]
    public async Task SearchAwsConnectors_FollowsPaginationAndFiltersByName()
    {
        var handler = new FakeQualysHandler().On("/qps/rest/2.0/search/am/awsassetdataconnector/",
            Respond.Xml(ConnectorPage(true, (1, "prod-aws", "FINISHED_SUCCESS"), (2, "prod-aws-2", "RUNNING"))),
            Respond.Xml(ConnectorPage(false, (3, "prod-aws", "DISABLED"))));
        using var client = TestClients.Create(handler);

        var all = await client.Ec2.SearchConnectorsAsync("prod-aws", Ct);

        all.Select(c => (c.Id, c.State)).ShouldBe([(1L, "FINISHED_SUCCESS"), (3L, "DISABLED")]);
        handler.Requests.Count.ShouldBe(2);
        handler.Requests[0].Body.ShouldContain("<startFromOffset>1</startFromOffset>");
        handler.Requests[1].Body.ShouldContain("<startFromOffset>3</startFromOffset>");
        handler.Requests[0].Body.ShouldContain("<Criteria field=\"name\" operator=\"EQUALS\">prod-aws</Criteria>");
        handler.Requests[0].Message.Content!.Headers.ContentType!.MediaType.ShouldBe("application/xml");
    }

    [Fact]
    public async Task SearchAwsConnectors_NameWithXmlCharacters_IsEscapedInTheRequest()
    {
        var handler = new FakeQualysHandler().On("/qps/rest/", Respond.Xml(ConnectorPage(false)));
        using var client = TestClients.Create(handler);

        (await client.Ec2.SearchConnectorsAsync("a</Criteria><x>&\"", Ct)).ShouldBeEmpty();

        handler.Requests.Single().Body.ShouldContain("a&lt;/Criteria&gt;&lt;x&gt;&amp;\"</Criteria>");
    }

    [Fact]
    public async Task GetAndRunConnector_ReadStateFromEitherElementName()
    {
        var handler = new FakeQualysHandler()
            .On("/qps/rest/2.0/get/am/assetdataconnector/179407", Respond.Xml("<ServiceResponse><responseCode>SUCCESS</responseCode><count>1</count><data><AssetDataConnector><id>179407</id><name>prod-aws</name><connectorState>FINISHED_ERRORS</connectorState><lastError>AccessDenied</lastError></AssetDataConnector></data></ServiceResponse>"))
            .On("/qps/rest/2.0/run/am/assetdataconnector/179407", Respond.Xml("<ServiceResponse><responseCode>SUCCESS</responseCode><count>1</count><data><AwsAssetDataConnector><id>179407</id><connectorState>QUEUED</connectorState></AwsAssetDataConnector></data></ServiceResponse>"));
        using var client = TestClients.Create(handler);

        var got = await client.Ec2.GetConnectorAsync(179407, Ct);
        var run = await client.Ec2.RunConnectorAsync(179407, Ct);

        (got.State, got.LastError).ShouldBe(("FINISHED_ERRORS", "AccessDenied"));
        run.State.ShouldBe("QUEUED");
        handler.Requests[1].Method.ShouldBe(HttpMethod.Post);
    }

    [Fact]
    public async Task RunConnector_Disabled_IsQpsError()
    {
        var handler = new FakeQualysHandler().On("/qps/rest/2.0/run/", Respond.Xml("<ServiceResponse><responseCode>INVALID_REQUEST</responseCode><responseErrorDetails><errorMessage>Connector is disabled</errorMessage><errorResolution>Enable it first.</errorResolution></responseErrorDetails></ServiceResponse>"));
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysApiException>(() => client.Ec2.RunConnectorAsync(5, Ct));

        ex.QpsResponseCode.ShouldBe("INVALID_REQUEST");
        ex.Text.ShouldBe("Connector is disabled Enable it first.");
    }

    [Fact]
    public async Task FindEc2HostAssets_SendsEscapedCriteriaAndReadsStateAndRegion()
    {
        var xml = "<ServiceResponse xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"https://qualysapi.qg3.apps.qualys.com/qps/xsd/2.0/am/hostasset.xsd\">" +
                  "<responseCode>SUCCESS</responseCode><count>1</count><hasMoreRecords>false</hasMoreRecords><data><HostAsset><id>84047683</id><name>i-02751173c463c34e8</name>" +
                  "<sourceInfo><list><Ec2AssetSourceSimple><assetId>84047683</assetId><type>EC_2</type><ec2InstanceTags><tags><list/></tags></ec2InstanceTags>" +
                  "<instanceId>i-02751173c463c34e8</instanceId><instanceState>RUNNING</instanceState><accountId>191097756250</accountId><region>us-east-1</region></Ec2AssetSourceSimple></list></sourceInfo>" +
                  "<qwebHostId>107800671</qwebHostId><address>172.31.66.126</address></HostAsset></data></ServiceResponse>";
        var handler = new FakeQualysHandler().On("/qps/rest/2.0/search/am/hostasset", Respond.Xml(xml));
        using var client = TestClients.Create(handler);

        var assets = await client.Ec2.FindHostAssetsAsync("i-02751173c463c34e8", "191097756250", Ct);

        var a = assets.Single();
        (a.InstanceState, a.Region, a.Id, a.QwebHostId, a.AccountId).ShouldBe(("RUNNING", "us-east-1", 84047683L, 107800671L, "191097756250"));
        var body = handler.Requests.Single().Body;
        body.ShouldBe("<ServiceRequest><filters><Criteria field=\"instanceId\" operator=\"EQUALS\">i-02751173c463c34e8</Criteria><Criteria field=\"accountId\" operator=\"EQUALS\">191097756250</Criteria></filters></ServiceRequest>");
    }

    [Fact]
    public async Task FindEc2HostAssets_NoMatch_ReturnsEmpty()
    {
        var handler = new FakeQualysHandler().On("/qps/rest/", Respond.Xml("<ServiceResponse><responseCode>SUCCESS</responseCode><count>0</count></ServiceResponse>"));
        using var client = TestClients.Create(handler);

        (await client.Ec2.FindHostAssetsAsync("i-0", null, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task QpsCall_InvalidCredentialsOn200_IsErrorWithCredentialHint()
    {
        var handler = new FakeQualysHandler().On("/qps/rest/", Respond.Xml(
            "<ServiceResponse xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"https://qualysapi.qg3.apps.qualys.com/qps/xsd/2.0/am/hostasset.xsd\">" +
            "<responseCode>INVALID_CREDENTIALS</responseCode><responseErrorDetails><errorMessage>Authentication failed</errorMessage><errorResolution>Verify both, user and password credentials.</errorResolution></responseErrorDetails></ServiceResponse>"));
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysApiException>(() => client.Ec2.FindHostAssetsAsync("i-1", "1", Ct));

        ex.HttpStatus.ShouldBe(200);
        ex.QpsResponseCode.ShouldBe("INVALID_CREDENTIALS");
        ex.Message.ShouldContain("wrong platform");
    }

    private static string KbPage(string? nextUrl, params long[] qids) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<!DOCTYPE KNOWLEDGE_BASE_VULN_LIST_OUTPUT SYSTEM \"https://qualysapi.qualys.com/api/2.0/fo/knowledge_base/vuln/knowledge_base_vuln_list_output.dtd\">\n" +
        "<!-- This report was generated with an evaluation version of Qualys //-->\n<KNOWLEDGE_BASE_VULN_LIST_OUTPUT>\n  <RESPONSE>\n    <DATETIME>2020-10-07T17:46:23Z</DATETIME>\n<!-- keep-alive for KNOWLEDGE_BASE_VULN_LIST_OUTPUT  -->\n" +
        (qids.Length == 0 ? string.Empty : "    <VULN_LIST>" + string.Concat(qids.Select(q =>
            $"<VULN><QID>{q}</QID><VULN_TYPE>Vulnerability or Potential Vulnerability</VULN_TYPE><SEVERITY_LEVEL>3</SEVERITY_LEVEL>" +
            $"<TITLE>\n          <![CDATA[Cisco IOS XE <Command> Injection {q}]]>\n        </TITLE><CATEGORY>Cisco</CATEGORY><PUBLISHED_DATETIME>2020-10-07T12:11:44Z</PUBLISHED_DATETIME><PATCHABLE>1</PATCHABLE>" +
            "<CVE_LIST><CVE><ID><![CDATA[CVE-2020-3403]]></ID><URL><![CDATA[http://cve.mitre.org]]></URL></CVE><CVE><ID><![CDATA[]]></ID></CVE></CVE_LIST>" +
            "<CVSS><BASE source=\"cve\">5.0</BASE><TEMPORAL>3.9</TEMPORAL></CVSS><PCI_FLAG>1</PCI_FLAG><DISCOVERY><REMOTE>1</REMOTE></DISCOVERY></VULN>\n<!-- keep-alive for KNOWLEDGE_BASE_VULN_LIST_OUTPUT  -->\n")) + "</VULN_LIST>") +
        (nextUrl is null ? string.Empty : $"<WARNING><CODE>1980</CODE><TEXT>2 record limit exceeded. Use URL to get next batch of results.</TEXT><URL>\n  <![CDATA[{nextUrl}]]>\n</URL></WARNING>") +
        "</RESPONSE></KNOWLEDGE_BASE_VULN_LIST_OUTPUT>\n<!-- CONFIDENTIAL AND PROPRIETARY INFORMATION. Qualys provides the QualysGuard Service \"As Is,\" without any warranty of any kind. Copyright 2020, Qualys, Inc. //-->";

    [Fact]
    public async Task ListKnowledgeBase_FollowsTruncationUrlVerbatimAndParsesQuirks()
    {
        const string next = "https://qualysapi.qualys.com/api/2.0/fo/knowledge_base/vuln/?action=list&ids=316760-316790&id_min=316762&extra_param=1";
        var handler = new FakeQualysHandler()
            .On(r => r.Method == HttpMethod.Post, Respond.Xml(KbPage(next, 316760, 316761)))
            .On(r => r.Query("id_min") == "316762", Respond.Xml(KbPage(null, 316762), "text/xml;charset=UTF-8"));
        using var client = TestClients.Create(handler);

        var vulns = new List<KbVulnerability>();
        await foreach (var v in client.KnowledgeBase.ListAsync(new KbQuery { Ids = ["316760-316790"] }, Ct))
        {
            vulns.Add(v);
        }

        vulns.Select(v => v.Qid).ShouldBe([316760L, 316761L, 316762L]);
        var first = vulns[0];
        (first.Title, first.CvssBase, first.PciFlag, first.Patchable, first.Severity).ShouldBe(("Cisco IOS XE <Command> Injection 316760", "5.0", true, true, 3));
        first.CveIds.ShouldBe(["CVE-2020-3403"]);
        handler.Requests[0].Form("ids").ShouldBe("316760-316790");
        handler.Requests[1].Url.ToString().ShouldBe(next);
    }

    [Fact]
    public async Task ListKnowledgeBase_EmptyResponseWithoutList_YieldsNothing()
    {
        var handler = new FakeQualysHandler().On("/knowledge_base/", Respond.Xml(KbPage(null)));
        using var client = TestClients.Create(handler);

        var count = 0;
        await foreach (var unused in client.KnowledgeBase.ListAsync(new KbQuery { Ids = ["1"] }, Ct))
        {
            count++;
        }

        count.ShouldBe(0);
    }

    [Fact]
    public async Task ListKnowledgeBase_TruncationUrlOnAnotherHost_IsRefusedNotFollowed()
    {
        var handler = new FakeQualysHandler().On("/knowledge_base/", Respond.Xml(KbPage("https://evil.example.com/api/2.0/fo/knowledge_base/vuln/?action=list&id_min=2", 1)));
        using var client = TestClients.Create(handler);

        var ex = await Should.ThrowAsync<QualysResponseFormatException>(async () =>
        {
            await foreach (var unused in client.KnowledgeBase.ListAsync(new KbQuery(), Ct))
            {
            }
        });

        ex.Message.ShouldContain("evil.example.com");
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task ListHostDetections_FollowsTruncationAndParsesHostsAndDetections()
    {
        const string next = "https://qualysapi.qualys.com/api/5.0/fo/asset/host/vm/detection/?action=list&truncation_limit=1&id_min=143111842";
        static string Page(string? url, long id) =>
            "<!DOCTYPE HOST_LIST_VM_DETECTION_OUTPUT SYSTEM \"https://qualysapi.qg2.apps.qualys.com/api/2.0/fo/asset/host/vm/detection/dtd/output.dtd\">\n" +
            $"<HOST_LIST_VM_DETECTION_OUTPUT><RESPONSE><DATETIME>2023-05-24T09:59:43Z</DATETIME><HOST_LIST><HOST><ID>{id}</ID><IP>1.1.1.1</IP><TRACKING_METHOD>DNS</TRACKING_METHOD>" +
            "<OS><![CDATA[Linux 3.13]]></OS><DNS><![CDATA[one.one.one.one]]></DNS><LAST_SCAN_DATETIME>2023-05-16T15:26:53Z</LAST_SCAN_DATETIME><DETECTION_LIST>" +
            "<DETECTION><QID>38628</QID><TYPE>Confirmed</TYPE><SEVERITY>3</SEVERITY><PORT>443</PORT><PROTOCOL>tcp</PROTOCOL><SSL>1</SSL><RESULTS><![CDATA[TLSv1.0 is supported]]></RESULTS><STATUS>Active</STATUS></DETECTION>" +
            "<DETECTION><QID>38726</QID><TYPE>Potential</TYPE><SEVERITY>3</SEVERITY><SSL>0</SSL><STATUS>New</STATUS></DETECTION></DETECTION_LIST></HOST></HOST_LIST>" +
            (url is null ? string.Empty : $"<WARNING><CODE>1980</CODE><TEXT>1 record limit exceeded.</TEXT><URL><![CDATA[{url}]]></URL></WARNING>") +
            "</RESPONSE></HOST_LIST_VM_DETECTION_OUTPUT>";
        var handler = new FakeQualysHandler()
            .On(r => r.Query("id_min") is null, Respond.Xml(Page(next, 143111841)))
            .On(r => r.Query("id_min") == "143111842", Respond.Xml(Page(null, 143111842)));
        using var client = TestClients.Create(handler);

        var hosts = new List<HostDetections>();
        await foreach (var h in client.HostDetections.ListAsync(new HostDetectionQuery { Ips = ["1.1.1.1"], TruncationLimit = 1, Statuses = ["New", "Active"] }, Ct))
        {
            hosts.Add(h);
        }

        hosts.Select(h => h.HostId).ShouldBe([143111841L, 143111842L]);
        var d = hosts[0].Detections;
        (d[0].Qid, d[0].Type, d[0].Port, d[0].Ssl, d[0].Results).ShouldBe((38628L, "Confirmed", "443", true, "TLSv1.0 is supported"));
        (d[1].Port, d[1].Status).ShouldBe((null, "New"));
        handler.Requests[0].Path.ShouldBe("/api/5.0/fo/asset/host/vm/detection/");
        (handler.Requests[0].Query("ips"), handler.Requests[0].Query("status"), handler.Requests[0].Query("truncation_limit")).ShouldBe(("1.1.1.1", "New,Active", "1"));
    }
}
