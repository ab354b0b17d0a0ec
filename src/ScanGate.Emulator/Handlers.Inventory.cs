using System.Text;

namespace ScanGate.Emulator;

internal sealed partial class Handlers
{
    private async Task OptionProfilesAsync(Req req, bool pci)
    {
        if (req.Get("action") is not ("list" or "export"))
        {
            await MissingAction(req, "list", "export").ConfigureAwait(false);
            return;
        }

        if (pci && !Scenario.Subscription.PciEnabled)
        {
            await Error(req, 403, "2012", "PCI option profiles are not enabled for this subscription").ConfigureAwait(false);
            return;
        }

        var profiles = Scenario.OptionProfiles.Where(o => o.Pci == pci);
        if (req.Get("option_profile_id") is { } id)
        {
            profiles = profiles.Where(o => Num(o.Id) == id);
        }

        if (req.Get("option_profile_title") is { } title)
        {
            profiles = profiles.Where(o => o.Title == title);
        }

        // No RESPONSE wrapper: the list has the action=export layout.
        var sb = Xml.Head(new StringBuilder(), "OPTION_PROFILES", req.BaseUrl, "/api/2.0/fo/subscription/option_profile/option_profile_info.dtd", Scenario.Subscription.Evaluation)
            .Append("<OPTION_PROFILES>\n");
        foreach (var o in profiles)
        {
            sb.Append("  <OPTION_PROFILE>\n    <BASIC_INFO>\n")
                .Append("      <ID>").Append(Num(o.Id)).Append("</ID>\n")
                .Append("      <GROUP_NAME>").Append(Xml.CData(o.Title)).Append("</GROUP_NAME>\n")
                .Append("      <GROUP_TYPE>").Append(o.Default ? "system" : "user").Append("</GROUP_TYPE>\n")
                .Append("      <USER_ID>").Append(Xml.CData($"Demo User ({Scenario.Users[0].Username})")).Append("</USER_ID>\n")
                .Append("      <UNIT_ID>0</UNIT_ID>\n      <SUBSCRIPTION_ID>10421401</SUBSCRIPTION_ID>\n")
                .Append("      <IS_DEFAULT>").Append(o.Default ? '1' : '0').Append("</IS_DEFAULT>\n")
                .Append("      <IS_GLOBAL>1</IS_GLOBAL>\n      <IS_OFFLINE_SYNCABLE>0</IS_OFFLINE_SYNCABLE>\n")
                .Append("      <UPDATE_DATE>2026-01-15T09:30:00Z</UPDATE_DATE>\n    </BASIC_INFO>\n")
                .Append("    <SCAN>\n      <PORTS>\n        <TCP_PORTS>\n          <TCP_PORTS_TYPE>standard</TCP_PORTS_TYPE>\n        </TCP_PORTS>\n")
                .Append("        <UDP_PORTS>\n          <UDP_PORTS_TYPE>standard</UDP_PORTS_TYPE>\n        </UDP_PORTS>\n      </PORTS>\n")
                .Append("      <SCAN_DEAD_HOSTS>0</SCAN_DEAD_HOSTS>\n")
                .Append("      <PERFORMANCE>\n        <OVERALL_PERFORMANCE>Normal</OVERALL_PERFORMANCE>\n      </PERFORMANCE>\n")
                .Append("      <VULNERABILITY_DETECTION>\n        <COMPLETE>").Append(Xml.CData("complete")).Append("</COMPLETE>\n      </VULNERABILITY_DETECTION>\n")
                .Append("    </SCAN>\n  </OPTION_PROFILE>\n");
        }

        Xml.Tail(sb.Append("</OPTION_PROFILES>\n"), Scenario.Subscription.Evaluation);
        await Respond.XmlText(req, 200, sb.ToString()).ConfigureAwait(false);
    }

    private async Task AppliancesAsync(Req req)
    {
        if (req.Get("action") != "list")
        {
            await MissingAction(req, "list").ConfigureAwait(false);
            return;
        }

        var mode = req.Get("output_mode") ?? "brief";
        if (mode is not ("brief" or "full"))
        {
            await Error(req, 400, "1905", $"parameter output_mode has invalid value: {mode} (expected brief or full)").ConfigureAwait(false);
            return;
        }

        IEnumerable<ScenarioScanner> scanners = Scenario.Scanners;
        if (req.Get("network_id") is { } network)
        {
            if (!long.TryParse(network, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var networkId))
            {
                await Error(req, 400, "1905", $"parameter network_id has invalid value: {network} (not a positive integer)").ConfigureAwait(false);
                return;
            }

            scanners = scanners.Where(s => s.NetworkId == networkId);
        }

        if (req.Get("platform_provider") is { } provider)
        {
            scanners = provider == "ec2" ? scanners.Where(s => s.Ec2 is not null) : [];
        }

        if (req.Get("name") is { } name)
        {
            scanners = scanners.Where(s => s.Name.Contains(name, StringComparison.OrdinalIgnoreCase));
        }

        var full = mode == "full";
        var cloud = full && req.Flag("include_cloud_info");
        var s2 = Scenario.Subscription;
        var sb = Xml.Head(new StringBuilder(), "APPLIANCE_LIST_OUTPUT", req.BaseUrl, "/api/2.0/fo/appliance/appliance_list_output.dtd", s2.Evaluation)
            .Append("<APPLIANCE_LIST_OUTPUT>\n  <RESPONSE>\n    <DATETIME>").Append(Xml.Time(Now)).Append("</DATETIME>\n");
        var list = scanners.ToList();
        if (list.Count > 0)
        {
            sb.Append("    <APPLIANCE_LIST>\n");
            foreach (var a in list)
            {
                sb.Append("      <APPLIANCE>\n")
                    .Append("        <ID>").Append(Num(a.Id)).Append("</ID>\n")
                    .Append("        <UUID>").Append(Uuid(a.Id)).Append("</UUID>\n")
                    .Append("        <NAME>").Append(Xml.Escape(a.Name)).Append("</NAME>\n")
                    .Append("        <NETWORK_ID>").Append(Num(a.NetworkId)).Append("</NETWORK_ID>\n")
                    .Append("        <SOFTWARE_VERSION>2.6</SOFTWARE_VERSION>\n")
                    .Append("        <RUNNING_SLICES_COUNT>0</RUNNING_SLICES_COUNT>\n        <RUNNING_SCAN_COUNT>0</RUNNING_SCAN_COUNT>\n")
                    .Append("        <STATUS>").Append(Xml.Escape(a.Status)).Append("</STATUS>\n");
                if (full)
                {
                    sb.Append("        <MODEL_NUMBER>vSA</MODEL_NUMBER>\n        <TYPE>").Append(Xml.Escape(a.Type)).Append("</TYPE>\n")
                        .Append("        <ML_LATEST>").Append(s2.ScannerVersion).Append("</ML_LATEST>\n")
                        .Append("        <ML_VERSION updated=\"yes\">").Append(s2.ScannerVersion).Append("</ML_VERSION>\n")
                        .Append("        <VULNSIGS_LATEST>").Append(s2.VulnsigsVersion).Append("</VULNSIGS_LATEST>\n")
                        .Append("        <VULNSIGS_VERSION updated=\"yes\">").Append(s2.VulnsigsVersion).Append("</VULNSIGS_VERSION>\n")
                        .Append("        <HEARTBEATS_MISSED>0</HEARTBEATS_MISSED>\n")
                        .Append("        <LAST_UPDATED_DATE>").Append(Xml.Time(Now.AddHours(-2))).Append("</LAST_UPDATED_DATE>\n");
                }

                if (cloud && a.Ec2 is { } ec2)
                {
                    sb.Append("        <CLOUD_INFO>\n          <PLATFORM_PROVIDER>ec2</PLATFORM_PROVIDER>\n          <EC2_INFO>\n")
                        .Append("            <INSTANCE_ID>").Append(Xml.Escape(ec2.InstanceId)).Append("</INSTANCE_ID>\n")
                        .Append("            <AMI_ID>").Append(Xml.Escape(ec2.AmiId)).Append("</AMI_ID>\n")
                        .Append("            <ACCOUNT_ID>").Append(Xml.Escape(ec2.AccountId)).Append("</ACCOUNT_ID>\n")
                        .Append("            <INSTANCE_REGION>").Append(Xml.Escape(ec2.Region)).Append("</INSTANCE_REGION>\n")
                        .Append("            <INSTANCE_VPC_ID>").Append(Xml.Escape(ec2.VpcId)).Append("</INSTANCE_VPC_ID>\n")
                        .Append("            <API_PROXY_SETTINGS>\n              <SETTING>Disabled</SETTING>\n            </API_PROXY_SETTINGS>\n")
                        .Append("          </EC2_INFO>\n        </CLOUD_INFO>\n");
                }

                sb.Append("      </APPLIANCE>\n");
            }

            sb.Append("    </APPLIANCE_LIST>\n");
        }

        Xml.Tail(sb.Append("  </RESPONSE>\n</APPLIANCE_LIST_OUTPUT>\n"), s2.Evaluation);
        await Respond.XmlText(req, 200, sb.ToString()).ConfigureAwait(false);
    }

    private async Task NetworksAsync(Req req)
    {
        if (req.Get("action") != "list")
        {
            await MissingAction(req, "list").ConfigureAwait(false);
            return;
        }

        if (!Scenario.Subscription.NetworksEnabled)
        {
            await Error(req, 403, "2012", "Networks are not enabled for this subscription").ConfigureAwait(false);
            return;
        }

        var sb = Xml.Head(new StringBuilder(), "NETWORK_LIST_OUTPUT", req.BaseUrl, "/api/2.0/fo/network/network_list_output.dtd", Scenario.Subscription.Evaluation)
            .Append("<NETWORK_LIST_OUTPUT>\n  <RESPONSE>\n    <DATETIME>").Append(Xml.Time(Now)).Append("</DATETIME>\n");
        if (Scenario.Networks.Count > 0)
        {
            sb.Append("    <NETWORK_LIST>\n");
            foreach (var n in Scenario.Networks)
            {
                sb.Append("      <NETWORK>\n        <ID>").Append(Num(n.Id)).Append("</ID>\n        <NAME>").Append(Xml.CData(n.Name)).Append("</NAME>\n");
                var scanners = Scenario.Scanners.Where(s => s.NetworkId == n.Id).ToList();
                if (scanners.Count > 0)
                {
                    sb.Append("        <SCANNER_APPLIANCE_LIST>\n");
                    foreach (var s in scanners)
                    {
                        sb.Append("          <SCANNER_APPLIANCE>\n            <ID>").Append(Num(s.Id)).Append("</ID>\n            <NAME>")
                            .Append(Xml.Escape(s.Name)).Append("</NAME>\n          </SCANNER_APPLIANCE>\n");
                    }

                    sb.Append("        </SCANNER_APPLIANCE_LIST>\n");
                }

                sb.Append("      </NETWORK>\n");
            }

            sb.Append("    </NETWORK_LIST>\n");
        }

        Xml.Tail(sb.Append("  </RESPONSE>\n</NETWORK_LIST_OUTPUT>\n"), Scenario.Subscription.Evaluation);
        await Respond.XmlText(req, 200, sb.ToString()).ConfigureAwait(false);
    }

    private static string Uuid(long id) => $"5c1e0000-0000-4000-8000-{id:D12}";
}
