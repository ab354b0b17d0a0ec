using System.Globalization;
using System.Text;

namespace ScanGate.Emulator;

internal sealed partial class Handlers
{
    private static readonly HashSet<string> LaunchParameters = new(StringComparer.Ordinal)
    {
        "action", "echo_request", "runtime_http_header", "scan_title", "option_title", "option_id", "iscanner_name", "iscanner_id",
        "default_scanner", "scanners_in_ag", "scanners_in_tagset", "scanners_in_network", "target_from", "ip", "asset_groups",
        "asset_group_ids", "exclude_ip_per_scan", "tag_include_selector", "tag_exclude_selector", "tag_set_by", "tag_set_include",
        "tag_set_exclude", "use_ip_nt_range_tags", "use_ip_nt_range_tags_include", "use_ip_nt_range_tags_exclude", "ip_network_id",
        "priority", "ec2_instance_ids", "connector_name", "ec2_endpoint", "fqdn", "include_agent_targets", "scan_type",
        "client_id", "client_name", "connector_uuid",
    };

    private Task ScanAsync(Req req, bool v3)
    {
        var action = req.Get("action");
        if (v3 && action is not null && action != "list")
        {
            // API 3.0 serves only the scan list; launch and the others stay on 2.0.
            return Error(req, 400, "1905", $"parameter action has invalid value: {action} (only list is available on /api/3.0/fo/scan/)");
        }

        if (action is "launch" or "cancel" or "pause" or "resume" or "delete" && !req.IsPost)
        {
            return Error(req, 400, "1908", $"Request method (GET or POST) is incompatible with specified parameter(s): action={action}");
        }

        return action switch
        {
            "launch" => LaunchAsync(req),
            "list" => ListScansAsync(req),
            "fetch" => FetchAsync(req),
            "cancel" or "pause" or "resume" or "delete" => ManageAsync(req, action),
            _ => MissingAction(req, "launch", "list", "fetch", "cancel", "pause", "resume", "delete"),
        };
    }

    private async Task LaunchAsync(Req req)
    {
        var unknown = req.P.Keys.Where(k => !LaunchParameters.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            await Error(req, 400, "1901", $"Unrecognized parameter(s): {string.Join(",", unknown)}").ConfigureAwait(false);
            return;
        }

        if (req.Has("option_title") && req.Has("option_id"))
        {
            await Error(req, 400, "1904", "Please specify only one of these parameters: option_title, option_id").ConfigureAwait(false);
            return;
        }

        if (!req.Has("option_title") && !req.Has("option_id"))
        {
            await Error(req, 400, "1903", "Missing required parameter(s): option_title or option_id").ConfigureAwait(false);
            return;
        }

        if (req.Has("iscanner_name") && req.Has("iscanner_id"))
        {
            await Error(req, 400, "1904", "Please specify only one of these parameters: iscanner_name, iscanner_id").ConfigureAwait(false);
            return;
        }

        var isEc2 = req.Has("ec2_instance_ids");
        if (isEc2 && req.Has("ip"))
        {
            await Error(req, 400, "1904", "Please specify only one of these parameters: ip, ec2_instance_ids").ConfigureAwait(false);
            return;
        }

        if (!isEc2 && !req.Has("ip") && !req.Has("asset_groups") && !req.Has("asset_group_ids") && !req.Has("fqdn") && !req.Has("tag_set_include"))
        {
            await Error(req, 400, "1922", "Please specify at least one of the following parameters: ip, asset_groups, asset_group_ids, fqdn, tag_set_include").ConfigureAwait(false);
            return;
        }

        if (isEc2)
        {
            var missing = new[] { "connector_name", "ec2_endpoint" }.Where(p => string.IsNullOrEmpty(req.Get(p))).ToList();
            if (missing.Count > 0)
            {
                await Error(req, 400, "1903", $"Missing required parameter(s): {string.Join(", ", missing)}").ConfigureAwait(false);
                return;
            }
        }

        // Option profile.
        ScenarioOptionProfile? profile;
        if (req.Get("option_id") is { } optionId)
        {
            if (!long.TryParse(optionId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                await Error(req, 400, "1905", $"parameter option_id has invalid value: {optionId} (not a positive integer)").ConfigureAwait(false);
                return;
            }

            profile = Scenario.OptionProfiles.FirstOrDefault(o => o.Id == id);
            if (profile is null)
            {
                await Error(req, 400, "1905", $"parameter option_id has invalid value: {optionId} (option profile not found)").ConfigureAwait(false);
                return;
            }
        }
        else
        {
            var title = req.Get("option_title")!;
            profile = Scenario.OptionProfiles.FirstOrDefault(o => string.Equals(o.Title, title, StringComparison.Ordinal));
            if (profile is null)
            {
                await Error(req, 400, "1905", $"parameter option_title has invalid value: {title} (option profile not found)").ConfigureAwait(false);
                return;
            }
        }

        // Scanner.
        var scannerName = "External";
        if (req.Get("iscanner_name") is { } names)
        {
            foreach (var name in names.Split(',', StringSplitOptions.TrimEntries))
            {
                if (!string.Equals(name, "External", StringComparison.OrdinalIgnoreCase)
                    && !Scenario.Scanners.Any(s => string.Equals(s.Name, name, StringComparison.Ordinal)))
                {
                    await Error(req, 400, "1905", $"parameter iscanner_name has invalid value: {name} (scanner appliance not found)").ConfigureAwait(false);
                    return;
                }
            }

            scannerName = names;
        }
        else if (req.Get("iscanner_id") is { } ids)
        {
            var names2 = new List<string>();
            foreach (var idText in ids.Split(',', StringSplitOptions.TrimEntries))
            {
                var scanner = long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var sid) ? Scenario.Scanners.FirstOrDefault(s => s.Id == sid) : null;
                if (scanner is null)
                {
                    await Error(req, 400, "1905", $"parameter iscanner_id has invalid value: {idText} (scanner appliance not found)").ConfigureAwait(false);
                    return;
                }

                names2.Add(scanner.Name);
            }

            scannerName = string.Join(",", names2);
        }

        // Network.
        var networkName = "Global Default Network";
        if (req.Get("ip_network_id") is { } networkText)
        {
            if (!long.TryParse(networkText, NumberStyles.None, CultureInfo.InvariantCulture, out var networkId))
            {
                await Error(req, 400, "1905", $"parameter ip_network_id has invalid value: {networkText} (not a positive integer)").ConfigureAwait(false);
                return;
            }

            if (networkId != 0)
            {
                var network = Scenario.Networks.FirstOrDefault(n => n.Id == networkId);
                if (network is null)
                {
                    await Error(req, 400, "1905", $"parameter ip_network_id has invalid value: {networkText} (network not found)").ConfigureAwait(false);
                    return;
                }

                networkName = network.Name;
            }
        }

        var priority = 0;
        if (req.Get("priority") is { } priorityText
            && (!int.TryParse(priorityText, NumberStyles.None, CultureInfo.InvariantCulture, out priority) || priority > 9))
        {
            await Error(req, 400, "1905", $"parameter priority has invalid value: {priorityText} (expected 0 to 9)").ConfigureAwait(false);
            return;
        }

        if (req.Has("asset_groups") || req.Has("asset_group_ids") || req.Has("tag_set_include"))
        {
            var which = new[] { "asset_groups", "asset_group_ids", "tag_set_include" }.First(req.Has);
            await Error(req, 400, "1905", $"parameter {which} has invalid value: {req.Get(which)} (not found in this subscription)").ConfigureAwait(false);
            return;
        }

        if (req.Get("fqdn") is { } fqdn && !req.Has("ip"))
        {
            await Error(req, 400, "1905", $"parameter fqdn has invalid value: {fqdn} (hostname could not be resolved)").ConfigureAwait(false);
            return;
        }

        // Targets.
        List<IpRange> target;
        string targetText;
        if (isEc2)
        {
            var resolved = ResolveEc2Targets(req, out var ec2Error);
            if (resolved is null)
            {
                await Error(req, 400, "1905", ec2Error!).ConfigureAwait(false);
                return;
            }

            target = resolved;
            targetText = string.Join(", ", target);
        }
        else
        {
            var ipText = req.Get("ip") ?? "";
            if (string.IsNullOrWhiteSpace(ipText))
            {
                await Error(req, 400, "1905", "parameter ip has invalid value:  (Empty IP.)").ConfigureAwait(false);
                return;
            }

            if (!IpRange.TryParseList(ipText, out target, out var bad))
            {
                await Error(req, 400, "1905", $"parameter ip has invalid value: {bad} (Invalid IP.)").ConfigureAwait(false);
                return;
            }

            targetText = ipText;
            var subscription = Scenario.Subscription.Ips.Select(s => IpRange.TryParse(s, out var r) ? r : default).ToList();
            if (target.Any(r => !subscription.Any(s => s.Contains(r.First) && s.Contains(r.Last))))
            {
                await Error(req, 400, "999", "One or more IPs are not approved for this account").ConfigureAwait(false);
                return;
            }
        }

        var title2 = req.Get("scan_title");
        var forced = req.Fault("scan_state");
        ScanRecord scan;
        lock (state.Sync)
        {
            var id = state.NextScanId();
            var now = Now;
            var alive = new List<ScannedHost>();
            foreach (var host in Scenario.Hosts.Where(h => h.Alive))
            {
                // A host that changed its IP answers on the address it has at launch only.
                var identity = host.IdentityAt(now);
                if (IpRange.TryParseAddress(identity.Ip, out var ip) && target.Any(r => r.Contains(ip)))
                {
                    var n = state.HostScanCounts.GetValueOrDefault(host) + 1;
                    state.HostScanCounts[host] = n;
                    alive.Add(new ScannedHost(host, n, identity));
                }
            }

            scan = new ScanRecord
            {
                Id = id,
                Ref = string.Create(CultureInfo.InvariantCulture, $"scan/{now.ToUnixTimeSeconds()}.{id % 100000:D5}"),
                Title = string.IsNullOrEmpty(title2) ? "N/A" : title2,
                UserLogin = req.User!,
                Launched = now,
                TargetText = targetText,
                Target = target,
                OptionProfile = profile.Title,
                ScannerName = scannerName,
                NetworkName = networkName,
                Priority = priority,
                AliveHosts = alive,
                Fate = req.Faults.FirstOrDefault(f => f.Kind is "scan_error" or "scan_canceled" or "scan_stuck_queued" or "scan_stuck_paused")?.Kind["scan_".Length..],
                ForcedState = forced?.State,
                ForcedSubState = forced?.SubState,
            };
            state.Scans.Add(scan);
        }

        // As recorded (2023): the launch answer points at the launch DTD and has no trailing comment.
        await Respond.SimpleReturn(req, 200, null, "New vm scan launched",
            [("ID", Num(scan.Id)), ("REFERENCE", scan.Ref)], Now, dtdPath: "/api/2.0/fo/scan/dtd/launch_output.dtd").ConfigureAwait(false);
    }

    private List<IpRange>? ResolveEc2Targets(Req req, out string? error)
    {
        error = null;
        var connectorName = req.Get("connector_name")!;
        var endpoint = req.Get("ec2_endpoint")!;
        ConnectorRuntime? connector;
        lock (state.Sync)
        {
            connector = state.Connectors.Values.FirstOrDefault(c => string.Equals(c.Definition.Name, connectorName, StringComparison.Ordinal));
            connector?.Evaluate(Scenario.Timings, Now);
        }

        if (connector is null)
        {
            error = $"parameter connector_name has invalid value: {connectorName} (connector not found)";
            return null;
        }

        var ids = req.Get("ec2_instance_ids")!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length is 0 or > 10)
        {
            error = $"parameter ec2_instance_ids has invalid value: {req.Get("ec2_instance_ids")} (1 to 10 instance IDs)";
            return null;
        }

        var ranges = new List<IpRange>();
        foreach (var id in ids)
        {
            var instance = connector.Definition.Instances.FirstOrDefault(i => string.Equals(i.InstanceId, id, StringComparison.Ordinal));
            if (instance is null || !(instance.Known || connector.HasCompletedRun))
            {
                error = $"parameter ec2_instance_ids has invalid value: {id} (instance not found for connector {connectorName})";
                return null;
            }

            if (!string.Equals(instance.Region, endpoint, StringComparison.Ordinal))
            {
                error = $"parameter ec2_endpoint has invalid value: {endpoint} (instance {id} is in {instance.Region})";
                return null;
            }

            if (instance.State != "RUNNING")
            {
                error = $"parameter ec2_instance_ids has invalid value: {id} (instance state is {instance.State})";
                return null;
            }

            if (!IpRange.TryParse(instance.Ip, out var range))
            {
                error = $"parameter ec2_instance_ids has invalid value: {id} (instance has no IP address)";
                return null;
            }

            ranges.Add(range);
        }

        return ranges;
    }

    private ScanRecord? FindScan(string? scanRef)
    {
        lock (state.Sync)
        {
            return state.Scans.FirstOrDefault(s => !s.Deleted && string.Equals(s.Ref, scanRef, StringComparison.Ordinal));
        }
    }

    private Task ScanNotFound(Req req, string scanRef) =>
        Error(req, 400, "1905", $"parameter scan_ref has invalid value: {scanRef} (scan not found)");

    private async Task ManageAsync(Req req, string action)
    {
        var scanRef = req.Get("scan_ref");
        if (string.IsNullOrEmpty(scanRef))
        {
            await Error(req, 400, "1903", "Missing required parameter(s): scan_ref").ConfigureAwait(false);
            return;
        }

        var scan = FindScan(scanRef);
        if (scan is null)
        {
            await ScanNotFound(req, scanRef).ConfigureAwait(false);
            return;
        }

        string? problem = null;
        string text;
        lock (state.Sync)
        {
            var now = Now;
            var status = ScanMachine.Evaluate(scan, Scenario.Timings, now);
            switch (action)
            {
                case "cancel":
                    text = "Scan canceled";
                    if (status.State is "Submitted" or "Queued" or "Running" or "Paused")
                    {
                        scan.ElapsedAtCancel = status.Elapsed;
                        scan.CanceledAt = now;
                    }
                    else
                    {
                        problem = $"scan cannot be canceled while it is {status.State}";
                    }

                    break;
                case "pause":
                    text = "Scan paused";
                    if (status.State is "Queued" or "Running" && scan.PausedAt is null)
                    {
                        scan.PausedAt = now;
                    }
                    else
                    {
                        problem = $"scan cannot be paused while it is {status.State}";
                    }

                    break;
                case "resume":
                    text = "Scan resumed";
                    if (status.State == "Paused")
                    {
                        // A scan stuck in Paused accepts the request but does not move (fault scan_stuck_paused).
                        if (scan.PausedAt is { } pausedAt)
                        {
                            scan.PausedTotal += now - pausedAt;
                            scan.PausedAt = null;
                        }
                    }
                    else
                    {
                        problem = $"scan cannot be resumed while it is {status.State}";
                    }

                    break;
                default:
                    text = "Scan deleted";
                    if (status.State is "Finished" or "Canceled" or "Error")
                    {
                        scan.Deleted = true;
                    }
                    else
                    {
                        problem = $"scan cannot be deleted while it is {status.State}";
                    }

                    break;
            }
        }

        if (problem is not null)
        {
            await Error(req, 400, "1905", $"parameter scan_ref has invalid value: {scanRef} ({problem})").ConfigureAwait(false);
            return;
        }

        await Respond.SimpleReturn(req, 200, null, text, [("ID", Num(scan.Id)), ("REFERENCE", scan.Ref)], Now).ConfigureAwait(false);
    }

    private static readonly HashSet<string> ListParameters = new(StringComparer.Ordinal)
    {
        "action", "echo_request", "scan_ref", "state", "processed", "type", "target", "user_login", "launched_after_datetime",
        "launched_before_datetime", "scan_type", "client_id", "client_name", "show_ags", "show_op", "show_status", "show_last",
        "ignore_target", "pci_only",
    };

    private static readonly string[] ListStates = ["Running", "Paused", "Canceled", "Finished", "Error", "Queued", "Loading", "Submitted"];

    /// <summary>
    /// <c>action=list</c>, with the filters a poll for many scans needs (qualys-api.md §3.2): <c>scan_ref</c> as a
    /// comma-separated list, <c>state</c>, <c>processed</c>, <c>launched_after_datetime</c>/<c>_before_</c> (30 days
    /// by default), <c>type</c>, <c>target</c>, <c>user_login</c>, <c>show_status</c>, <c>show_op</c>,
    /// <c>show_last</c>, <c>ignore_target</c>.
    /// </summary>
    private async Task ListScansAsync(Req req)
    {
        var now = Now;
        var unknown = req.P.Keys.Where(k => !ListParameters.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            await Error(req, 400, "1901", $"Unrecognized parameter(s): {string.Join(",", unknown)}").ConfigureAwait(false);
            return;
        }

        var states = req.Get("state")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (states?.FirstOrDefault(s => !ListStates.Contains(s, StringComparer.Ordinal)) is { } badState)
        {
            await Error(req, 400, "1905", $"parameter state has invalid value: {badState}").ConfigureAwait(false);
            return;
        }

        foreach (var flag in new[] { "processed", "show_status", "show_op", "show_ags", "show_last", "ignore_target", "echo_request", "pci_only" })
        {
            if (req.Get(flag) is { } value && value is not ("0" or "1"))
            {
                await Error(req, 400, "1905", $"parameter {flag} has invalid value: {value} (expected 0 or 1)").ConfigureAwait(false);
                return;
            }
        }

        if (req.Get("type") is { } typeText && typeText is not ("On-Demand" or "Scheduled" or "API"))
        {
            await Error(req, 400, "1905", $"parameter type has invalid value: {typeText} (expected On-Demand, Scheduled or API)").ConfigureAwait(false);
            return;
        }

        var after = now.AddDays(-30);
        if (req.Get("launched_after_datetime") is { } afterText && !TryParseQualysDate(afterText, out after))
        {
            await Error(req, 400, "1905", $"parameter launched_after_datetime has invalid value: {afterText} (expected YYYY-MM-DD[THH:MM:SSZ])").ConfigureAwait(false);
            return;
        }

        var before = DateTimeOffset.MaxValue;
        if (req.Get("launched_before_datetime") is { } beforeText && !TryParseQualysDate(beforeText, out before))
        {
            await Error(req, 400, "1905", $"parameter launched_before_datetime has invalid value: {beforeText} (expected YYYY-MM-DD[THH:MM:SSZ])").ConfigureAwait(false);
            return;
        }

        List<IpRange>? targetFilter = null;
        if (req.Get("target") is { } targetText && !IpRange.TryParseList(targetText, out targetFilter, out var badTarget))
        {
            await Error(req, 400, "1905", $"parameter target has invalid value: {badTarget} (Invalid IP.)").ConfigureAwait(false);
            return;
        }

        HashSet<string>? refs = null;
        if (req.Get("scan_ref") is { } refText)
        {
            refs = new HashSet<string>(refText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
            if (refs.FirstOrDefault(r => !r.StartsWith("scan/", StringComparison.Ordinal)) is { } badRef)
            {
                await Error(req, 400, "1905", $"parameter scan_ref has invalid value: {badRef} (expected scan/<id>)").ConfigureAwait(false);
                return;
            }
        }

        // A scan_state fault on a list call changes what this one answer says, for every scan in it.
        var shown = req.Fault("scan_state");
        var rows = new List<(ScanRecord Scan, ScanStatus Status, string? SubState)>();
        lock (state.Sync)
        {
            foreach (var scan in state.Scans)
            {
                if (scan.Deleted || (refs is not null && !refs.Contains(scan.Ref))
                    || scan.Launched < after || scan.Launched > before
                    || (req.Get("user_login") is { } login && !string.Equals(login, scan.UserLogin, StringComparison.Ordinal))
                    || (req.Get("type") is { } type && type != "API")
                    || (targetFilter is not null && !targetFilter.All(t => scan.Target.Any(r => r.Contains(t.First) && r.Contains(t.Last)))))
                {
                    continue;
                }

                var status = ScanMachine.Evaluate(scan, Scenario.Timings, now);
                var subState = SubState(scan, status);
                if (shown is not null)
                {
                    status = status with { State = shown.State ?? status.State };
                    subState = shown.SubState ?? subState;
                }

                if ((states is not null && !states.Contains(status.State, StringComparer.Ordinal))
                    || (req.Get("processed") is { } p && p != (status.Processed ? "1" : "0")))
                {
                    continue;
                }

                rows.Add((scan, status, subState));
            }
        }

        var ordered = rows.OrderByDescending(r => r.Scan.Launched).ThenByDescending(r => r.Scan.Id).ToList();
        if (req.Flag("show_last") && ordered.Count > 1)
        {
            ordered.RemoveRange(1, ordered.Count - 1);
        }

        var version = req.Path.StartsWith("/api/3.0", StringComparison.Ordinal) ? "3.0" : "2.0";
        var sb = Xml.Head(new StringBuilder(), "SCAN_LIST_OUTPUT", req.BaseUrl, $"/api/{version}/fo/scan/scan_list_output.dtd", Scenario.Subscription.Evaluation);
        sb.Append("<SCAN_LIST_OUTPUT>\n  <RESPONSE>\n    <DATETIME>").Append(Xml.Time(now)).Append("</DATETIME>\n");
        if (ordered.Count > 0)
        {
            sb.Append("    <SCAN_LIST>\n");
            foreach (var (scan, status, subState) in ordered)
            {
                sb.Append("      <SCAN>\n");
                sb.Append("        <ID>").Append(Num(scan.Id)).Append("</ID>\n");
                sb.Append("        <REF>").Append(scan.Ref).Append("</REF>\n");
                sb.Append("        <TYPE>API</TYPE>\n");
                sb.Append("        <TITLE>\n          ").Append(Xml.CData(scan.Title)).Append("\n        </TITLE>\n");
                sb.Append("        <USER_LOGIN>").Append(Xml.Escape(scan.UserLogin)).Append("</USER_LOGIN>\n");
                sb.Append("        <LAUNCH_DATETIME>").Append(Xml.Time(scan.Launched)).Append("</LAUNCH_DATETIME>\n");
                sb.Append("        <DURATION>").Append(status.Duration).Append("</DURATION>\n");
                sb.Append("        <PROCESSING_PRIORITY>").Append(ScanMachine.PriorityText(scan.Priority)).Append("</PROCESSING_PRIORITY>\n");
                sb.Append("        <PROCESSED>").Append(status.Processed ? '1' : '0').Append("</PROCESSED>\n");
                if (req.Get("show_status") != "0")
                {
                    sb.Append("        <STATUS>\n          <STATE>").Append(Xml.Escape(status.State)).Append("</STATE>\n");
                    if (subState is not null)
                    {
                        sb.Append("          <SUB_STATE>").Append(Xml.Escape(subState)).Append("</SUB_STATE>\n");
                    }

                    sb.Append("        </STATUS>\n");
                }

                if (!req.Flag("ignore_target"))
                {
                    sb.Append("        <TARGET>\n          ").Append(Xml.CData(scan.TargetText)).Append("\n        </TARGET>\n");
                }

                if (req.Flag("show_op"))
                {
                    var isDefault = Scenario.OptionProfiles.FirstOrDefault(o => o.Title == scan.OptionProfile)?.Default == true;
                    sb.Append("        <OPTION_PROFILE>\n          <TITLE>\n            ").Append(Xml.CData(scan.OptionProfile))
                        .Append("\n          </TITLE>\n          <DEFAULT_FLAG>").Append(isDefault ? '1' : '0').Append("</DEFAULT_FLAG>\n        </OPTION_PROFILE>\n");
                }

                sb.Append("      </SCAN>\n");
            }

            sb.Append("    </SCAN_LIST>\n");
        }

        Xml.Tail(sb.Append("  </RESPONSE>\n</SCAN_LIST_OUTPUT>\n"), Scenario.Subscription.Evaluation);
        await Respond.XmlText(req, 200, sb.ToString()).ConfigureAwait(false);
    }

    private string? SubState(ScanRecord scan, ScanStatus status)
    {
        if (scan.ForcedSubState is { } forced && status.State != "Submitted" && status.State != "Queued")
        {
            return forced;
        }

        if (status.State != "Finished")
        {
            return null;
        }

        if (scan.AliveHosts.Count == 0)
        {
            return "No_Host";
        }

        return scan.AliveHosts.Any(h => HostDetections.HasVulns(h, scan, state.KnowledgeBase)) ? null : "No_Vuln";
    }

    private static bool TryParseQualysDate(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ss'Z'"], CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
}
