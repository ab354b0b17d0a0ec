using System.Globalization;
using System.Text;

namespace ScanGate.Chaos.Tests.FakeQualys;

/// <summary>One HTTP answer before any fault touches it.</summary>
internal sealed record Reply(int Status, string ContentType, byte[] Body)
{
    public IReadOnlyList<(string Name, string Value)> Headers { get; init; } = [];

    public static Reply Xml(string xml, int status = 200) => new(status, "application/xml", Encoding.UTF8.GetBytes(xml));
}

/// <summary>
/// The bodies a Qualys subscription answers with, written from the Qualys API reference (about, errors, scans, catalog,
/// QPS): DOCTYPE lines, CDATA on its own line, error bodies without the XML prolog. Every body ends exactly at its
/// last significant character, so cutting even one byte off leaves an incomplete document.
/// </summary>
internal static class QualysBodies
{
    public const string Prolog = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n";

    private const string Now = "2026-11-28T10:00:00Z";

    public static string About() =>
        Prolog + "<!DOCTYPE ABOUT SYSTEM \"https://qualysapi.qualys.com/about.dtd\">\n" +
        "<ABOUT><API-VERSION MAJOR=\"1\" MINOR=\"4\" /><WEB-VERSION>10.35.0.0-1</WEB-VERSION><SCANNER-VERSION>13.1.2-1</SCANNER-VERSION></ABOUT>";

    /// <summary>A SIMPLE_RETURN with a CODE: as on HTTP 400, no prolog.</summary>
    public static string Error(int code, string text) =>
        "<!DOCTYPE SIMPLE_RETURN SYSTEM \"https://qualysapi.qualys.com/api/2.0/simple_return.dtd\">\n" +
        $"<SIMPLE_RETURN>\n  <RESPONSE><DATETIME>{Now}</DATETIME><CODE>{code.ToString(CultureInfo.InvariantCulture)}</CODE>\n    <TEXT>{text}</TEXT></RESPONSE>\n</SIMPLE_RETURN>";

    public static string Simple(string text, params (string Key, string Value)[] items) =>
        Prolog + "<!DOCTYPE SIMPLE_RETURN SYSTEM \"https://qualysapi.qualys.com/api/2.0/simple_return.dtd\">\n" +
        $"<SIMPLE_RETURN><RESPONSE>\n    <DATETIME>{Now}</DATETIME><TEXT>{text}</TEXT>" +
        (items.Length == 0 ? string.Empty : "\n    <ITEM_LIST>" + string.Concat(items.Select(i => $"<ITEM><KEY>{i.Key}</KEY><VALUE>{i.Value}</VALUE></ITEM>")) + "</ITEM_LIST>") +
        "\n</RESPONSE></SIMPLE_RETURN>";

    public static string Launched(string reference, long id) =>
        Simple("New vm scan launched", ("ID", id.ToString(CultureInfo.InvariantCulture)), ("REFERENCE", reference));

    public static string ScanList(IEnumerable<FakeScan> scans, Func<FakeScan, (string State, string? SubState)> status)
    {
        var items = scans.Select(s =>
        {
            var (state, sub) = status(s);
            return $"<SCAN>\n  <ID>{s.Id.ToString(CultureInfo.InvariantCulture)}</ID><REF>{s.Reference}</REF><TYPE>API</TYPE><TITLE>\n   <![CDATA[{s.Title}]]>\n  </TITLE>" +
                   $"<USER_LOGIN>chaos</USER_LOGIN><LAUNCH_DATETIME>{s.LaunchedAt}</LAUNCH_DATETIME><DURATION>00:01:17</DURATION><PROCESSED>1</PROCESSED>" +
                   $"<STATUS><STATE>{state}</STATE>{(sub is null ? string.Empty : $"<SUB_STATE>{sub}</SUB_STATE>")}</STATUS><TARGET><![CDATA[{s.Target}]]></TARGET>\n</SCAN>";
        }).ToList();
        return Prolog + "<!DOCTYPE SCAN_LIST_OUTPUT SYSTEM \"https://qualysapi.qualys.com/api/3.0/fo/scan/scan_list_output.dtd\">\n" +
               $"<SCAN_LIST_OUTPUT><RESPONSE><DATETIME>{Now}</DATETIME>" + (items.Count == 0 ? string.Empty : "<SCAN_LIST>\n" + string.Concat(items) + "</SCAN_LIST>") +
               "</RESPONSE></SCAN_LIST_OUTPUT>";
    }

    public static string OptionProfiles(params string[] titles) =>
        Prolog + "<!DOCTYPE OPTION_PROFILES SYSTEM \"https://qualysapi.qualys.com/api/2.0/fo/subscription/option_profile/option_profile_info.dtd\">\n<OPTION_PROFILES>" +
        string.Concat(titles.Select((t, i) =>
            $"\n<OPTION_PROFILE>\n    <BASIC_INFO><ID>{(51451401 + i).ToString(CultureInfo.InvariantCulture)}</ID><GROUP_NAME><![CDATA[{t}]]></GROUP_NAME><GROUP_TYPE>user</GROUP_TYPE>" +
            $"<IS_DEFAULT>{(i == 0 ? 1 : 0).ToString(CultureInfo.InvariantCulture)}</IS_DEFAULT><IS_GLOBAL>1</IS_GLOBAL></BASIC_INFO>\n  </OPTION_PROFILE>")) +
        "\n</OPTION_PROFILES>";

    public static string Appliances(string name, string networkId) =>
        Prolog + "<!DOCTYPE APPLIANCE_LIST_OUTPUT SYSTEM \"https://qualysapi.qualys.com/api/2.0/fo/appliance/appliance_list_output.dtd\">\n" +
        $"<APPLIANCE_LIST_OUTPUT><RESPONSE><DATETIME>{Now}</DATETIME><APPLIANCE_LIST>\n  <APPLIANCE>\n    <ID>11223</ID><NAME>{name}</NAME><NETWORK_ID>{networkId}</NETWORK_ID>" +
        "<SOFTWARE_VERSION>2.6</SOFTWARE_VERSION><STATUS>Online</STATUS><TYPE>Virtual</TYPE>\n  </APPLIANCE>\n</APPLIANCE_LIST></RESPONSE></APPLIANCE_LIST_OUTPUT>";

    public static string Networks(string id, string name, string appliance) =>
        Prolog + $"<NETWORK_LIST_OUTPUT><RESPONSE><DATETIME>{Now}</DATETIME>\n  <NETWORK_LIST>\n    <NETWORK><ID>{id}</ID><NAME><![CDATA[{name}]]></NAME>" +
        $"\n      <SCANNER_APPLIANCE_LIST><SCANNER_APPLIANCE><ID>506</ID><NAME>{appliance}</NAME></SCANNER_APPLIANCE></SCANNER_APPLIANCE_LIST>\n    </NETWORK>\n  </NETWORK_LIST>\n</RESPONSE></NETWORK_LIST_OUTPUT>";

    private static string Qps(string schema, string data, int count) =>
        "<ServiceResponse xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" " +
        $"xsi:noNamespaceSchemaLocation=\"https://qualysapi.qualys.com/qps/xsd/2.0/am/{schema}.xsd\">\n  <responseCode>SUCCESS</responseCode><count>{count.ToString(CultureInfo.InvariantCulture)}</count>" +
        $"<hasMoreRecords>false</hasMoreRecords>\n  <data>{data}</data>\n</ServiceResponse>";

    public static string Connector(string element, long id, string name, string account, string state) =>
        Qps("awsassetdataconnector",
            $"<{element}><id>{id.ToString(CultureInfo.InvariantCulture)}</id><name>{name}</name><type>AWS</type><connectorState>{state}</connectorState>" +
            $"<awsAccountId>{account}</awsAccountId><lastSync>2026-11-28T09:00:00Z</lastSync><disabled>false</disabled></{element}>", 1);

    public static string HostAsset(string instanceId, string account, string region) =>
        Qps("hostasset",
            "<HostAsset>\n      <id>84047683</id><name>" + instanceId + "</name><type>HOST</type>\n      <sourceInfo><list><Ec2AssetSourceSimple>" +
            $"<type>EC_2</type><instanceId>{instanceId}</instanceId><instanceType>t2.medium</instanceType><instanceState>RUNNING</instanceState>" +
            $"<accountId>{account}</accountId><region>{region}</region></Ec2AssetSourceSimple></list></sourceInfo>\n      <qwebHostId>107800671</qwebHostId><address>172.31.66.126</address>\n  </HostAsset>", 1);

    public static string QpsError(string code, string message, string resolution) =>
        "<ServiceResponse xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"https://qualysapi.qualys.com/qps/xsd/2.0/am/hostasset.xsd\">\n" +
        $"  <responseCode>{code}</responseCode>\n  <responseErrorDetails><errorMessage>{message}</errorMessage>\n    <errorResolution>{resolution}</errorResolution></responseErrorDetails>\n</ServiceResponse>";

    public static string MaintenancePage() =>
        "<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>Scheduled maintenance</h1><p>The Qualys platform is being upgraded.</p></body></html>";

    public static string ProxyErrorPage() => "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>";

    /// <summary>
    /// A json_extended result (§3.3): header, scan summary, one confirmed severity-5 detection, appendix; one element
    /// per line. The detection fails the chaos policy (<c>--fail-on-severity 5</c>), so a result that slips through
    /// any fault is a policy fail, never a pass.
    /// </summary>
    public static string Result(string reference, string ip) =>
        "[{\"username\":\"chaos\",\"company\":\"Chaos Ltd\",\"scan_report_template_title\":\"Scan Results\",\"result_date\":\"11/28/2026 10:02:00\",\"role\":\"Manager\"},\n" +
        $"{{\"status\":\"Finished\",\"scanner_appliance\":\"chaos-scanner\",\"network\":\"Chaos Network\",\"reference\":\"{reference}\",\"ips\":\"{ip}\",\"launch_date\":\"11/28/2026 10:00:00\"," +
        $"\"option_profile\":\"Initial Options\",\"total_hosts\":\"1\",\"scan_title\":\"chaos\",\"duration\":\"00:01:17\",\"excluded_ips\":\"\",\"asset_groups\":null,\"type\":\"API\",\"active_hosts\":\"1\"}},\n" +
        $"{{\"protocol\":\"tcp\",\"qid\":38170,\"results\":\"Certificate expired\",\"solution\":\"Renew it\",\"ip_status\":\"host scanned, found vuln\",\"port\":\"443\",\"category\":\"General remote services\",\"severity\":\"5\"," +
        $"\"title\":\"SSL Certificate - Expired\",\"instance\":null,\"dns\":\"chaos.example\",\"ip\":\"{ip}\",\"type\":\"Vuln\",\"vendor_reference\":null,\"cve_id\":\"CVE-2021-44228\",\"ssl\":\"yes\",\"netbios\":null," +
        "\"associated_malware\":null,\"pci_vuln\":\"yes\",\"impact\":\"Spoofing\",\"fqdn\":\"\",\"bugtraq_id\":null,\"threat\":\"Expired\",\"os\":\"Linux 5.4\",\"exploitability\":null,\"cvss_base\":\"9.3 (AV:N/AC:M/Au:N/C:C/I:C/A:C)\"},\n" +
        $"{{\"target_distribution_across_scanner_appliances\":\"chaos-scanner : {ip}\"}}]";
}
