using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ScanGate.Qualys;

public sealed partial class QualysClient
{
    internal const string ScanPath = "api/2.0/fo/scan/";
    internal const string ScanListPath = "api/3.0/fo/scan/";
    internal const string KbPath = "api/2.0/fo/knowledge_base/vuln/";
    internal const string DetectionPath = "api/5.0/fo/asset/host/vm/detection/";

    // ---- connection test --------------------------------------------------------------------------------------

    /// <summary>
    /// Checks credentials and platform the way the plugin did: through the JWT gateway (VM must be in
    /// <c>modulesAllowed</c>) for public pods, through <c>/msp/about.php</c> (WEB-VERSION ≥ 8) for a custom URL.
    /// </summary>
    public Task<QualysConnectionCheck> TestConnectionAsync(CancellationToken cancellationToken) =>
        _options.Platform.IsCustom ? CheckAboutAsync(cancellationToken) : CheckGatewayAsync(cancellationToken);

    /// <summary><c>POST {gateway}/auth</c>: a JWT whose <c>modulesAllowed</c> must contain VM.</summary>
    public Task<QualysConnectionCheck> CheckGatewayAsync(CancellationToken cancellationToken)
    {
        var call = new Call("test connection (gateway)", HttpMethod.Post, new Uri(_options.Platform.GatewayUrl, "auth"), CallKind.Idempotent)
        {
            BasicAuth = false,
            Accept = "application/json",
            Form =
            [
                new("username", _options.Username),
                new("password", _options.Password),
                new("token", "true"),
            ],
        };
        return ExecuteAsync(call.Operation, call.Kind, async ct =>
        {
            var response = await SendOnceAsync(call, ct);
            if (response.Status is not (200 or 201))
            {
                if (response.Status == 401)
                {
                    throw new QualysApiException(call.Operation, 401, null, "the gateway rejected the credentials", hint: QualysApiException.HintFor(401, 2000, null));
                }

                Interpret(call, response);
                throw new QualysApiException(call.Operation, response.Status, null, Snippet(response.Body));
            }

            var modules = ReadJwtModules(call.Operation, Encoding.UTF8.GetString(response.Body).Trim());
            if (!modules.Contains("VM", StringComparer.OrdinalIgnoreCase))
            {
                throw new QualysApiException(call.Operation, response.Status, null,
                    $"the VM module is not enabled for this user (modulesAllowed: {string.Join(", ", modules)})",
                    hint: "Ask your Qualys administrator to grant the VM module and API access to this user");
            }

            return new QualysConnectionCheck { Method = "gateway", Modules = modules };
        }, cancellationToken);
    }

    internal static IReadOnlyList<string> ReadJwtModules(string operation, string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length < 2 || parts[1].Length == 0)
        {
            throw new QualysResponseFormatException(operation, "the gateway did not return a JWT");
        }

        byte[] payload;
        try
        {
            // JWT segments are base64url without padding (the plugin decoded them as plain base64: a latent bug).
            var b64 = parts[1].Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '=');
            payload = Convert.FromBase64String(b64);
        }
        catch (FormatException ex)
        {
            throw new QualysResponseFormatException(operation, "the JWT payload is not base64url", ex);
        }

        try
        {
            using var json = JsonDocument.Parse(payload);
            if (!json.RootElement.TryGetProperty("modulesAllowed", out var modules))
            {
                throw new QualysResponseFormatException(operation, "the JWT has no modulesAllowed claim");
            }

            return modules.ValueKind switch
            {
                JsonValueKind.Array => [.. modules.EnumerateArray().Select(m => m.ToString().Trim())],
                JsonValueKind.String => [.. Regex.Split(modules.GetString()!, "[^A-Za-z0-9_]+", RegexOptions.None, TimeSpan.FromSeconds(1)).Where(s => s.Length > 0)],
                _ => throw new QualysResponseFormatException(operation, "the JWT modulesAllowed claim is neither a list nor a string"),
            };
        }
        catch (JsonException ex)
        {
            throw new QualysResponseFormatException(operation, "the JWT payload is not JSON", ex);
        }
    }

    /// <summary><c>GET /msp/about.php</c>: WEB-VERSION must be 8 or more (private cloud check).</summary>
    public Task<QualysConnectionCheck> CheckAboutAsync(CancellationToken cancellationToken)
    {
        var call = new Call("test connection (about)", HttpMethod.Get, Api("msp/about.php"), CallKind.Idempotent);
        return ExecuteAsync(call.Operation, call.Kind, async ct =>
        {
            var doc = Interpret(call, await SendOnceAsync(call, ct));
            var version = string.Equals(doc.Root?.Name.LocalName, "ABOUT", StringComparison.Ordinal) ? doc.Root.Text("WEB-VERSION") : null;
            if (string.IsNullOrEmpty(version))
            {
                throw new QualysResponseFormatException(call.Operation, "ABOUT/WEB-VERSION is missing");
            }

            var majorText = version.Split('.')[0];
            if (!int.TryParse(majorText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var major) || major < 8)
            {
                throw new QualysApiException(call.Operation, 200, null, $"QWEB version {version} is older than 8",
                    hint: "This Qualys platform is too old for ScanGate, or the URL does not point at a Qualys API server");
            }

            return new QualysConnectionCheck { Method = "about", WebVersion = version };
        }, cancellationToken);
    }

    // ---- appliances, option profiles, networks ------------------------------------------------------------------

    /// <summary>Scanner appliances; <paramref name="networkId"/> restricts to one network.</summary>
    public async Task<IReadOnlyList<QualysAppliance>> ListAppliancesAsync(string? networkId, CancellationToken cancellationToken)
    {
        var call = new Call("appliance list", HttpMethod.Get,
            Api($"api/2.0/fo/appliance/?{Query(("action", "list"), ("output_mode", "full"), ("network_id", string.IsNullOrWhiteSpace(networkId) ? null : networkId.Trim()))}"),
            CallKind.Idempotent);
        return ParseAppliances(call.Operation, await XmlAsync(call, cancellationToken));
    }

    /// <summary>EC2 scanner appliances with their cloud account (platform_provider=ec2, include_cloud_info=1).</summary>
    public async Task<IReadOnlyList<QualysAppliance>> ListEc2AppliancesAsync(CancellationToken cancellationToken)
    {
        var call = new Call("EC2 appliance list", HttpMethod.Get,
            Api($"api/2.0/fo/appliance/?{Query(("action", "list"), ("platform_provider", "ec2"), ("include_cloud_info", "1"), ("output_mode", "full"))}"),
            CallKind.Idempotent);
        return ParseAppliances(call.Operation, await XmlAsync(call, cancellationToken));
    }

    private static List<QualysAppliance> ParseAppliances(string operation, XDocument doc)
    {
        ExpectRoot(operation, doc, "APPLIANCE_LIST_OUTPUT");
        var list = new List<QualysAppliance>();
        foreach (var a in doc.Root!.Element("RESPONSE")?.Element("APPLIANCE_LIST")?.Elements("APPLIANCE") ?? [])
        {
            var name = a.Text("NAME");
            if (string.IsNullOrEmpty(name))
            {
                throw new QualysResponseFormatException(operation, "an APPLIANCE has no NAME");
            }

            var cloud = a.Element("CLOUD_INFO");
            list.Add(new QualysAppliance
            {
                Id = a.Long("ID"),
                Name = name,
                Status = a.Text("STATUS"),
                NetworkId = a.Text("NETWORK_ID"),
                Type = a.Text("TYPE"),
                PlatformProvider = cloud.Text("PLATFORM_PROVIDER"),
                CloudAccountId = cloud.TextAt("EC2_INFO", "ACCOUNT_ID"),
                CloudRegion = cloud.TextAt("EC2_INFO", "INSTANCE_REGION"),
            });
        }

        return list;
    }

    /// <summary>VM and PCI option profiles. A refused PCI list (PCI not enabled: 403) is reported, not thrown.</summary>
    public async Task<QualysOptionProfiles> ListOptionProfilesAsync(CancellationToken cancellationToken)
    {
        var vm = await ListOptionProfilesAsync(OptionProfileKind.Vm, cancellationToken);
        try
        {
            var pci = await ListOptionProfilesAsync(OptionProfileKind.Pci, cancellationToken);
            return new QualysOptionProfiles { Profiles = [.. vm, .. pci] };
        }
        catch (QualysApiException ex) when (ex.HttpStatus == 403 || ex.Code is 2012)
        {
            LogPciUnavailable(_logger, ex.Operation, ex.Message);
            return new QualysOptionProfiles { Profiles = vm, PciUnavailable = ex };
        }
    }

    /// <summary>Option profiles of one kind (<c>/subscription/option_profile/vm|pci/</c>).</summary>
    public async Task<IReadOnlyList<QualysOptionProfile>> ListOptionProfilesAsync(OptionProfileKind kind, CancellationToken cancellationToken)
    {
        var segment = kind == OptionProfileKind.Pci ? "pci" : "vm";
        var call = new Call($"option profile list ({segment})", HttpMethod.Get, Api($"api/2.0/fo/subscription/option_profile/{segment}/?action=list"), CallKind.Idempotent);
        var doc = await XmlAsync(call, cancellationToken);
        var root = doc.Root!;
        if (!string.Equals(root.Name.LocalName, "OPTION_PROFILES", StringComparison.Ordinal))
        {
            // Some versions wrap the list in a RESPONSE; an empty subscription may return just DATETIME.
            ExpectRoot(call.Operation, doc, "OPTION_PROFILES", "OPTION_PROFILE_LIST_OUTPUT");
        }

        var list = new List<QualysOptionProfile>();
        foreach (var p in root.Descendants("OPTION_PROFILE"))
        {
            var info = p.Element("BASIC_INFO");
            var title = info.Text("GROUP_NAME");
            if (string.IsNullOrEmpty(title))
            {
                throw new QualysResponseFormatException(call.Operation, "an OPTION_PROFILE has no BASIC_INFO/GROUP_NAME");
            }

            list.Add(new QualysOptionProfile
            {
                Id = info.Long("ID"),
                Title = title,
                Kind = kind,
                IsDefault = info.Flag("IS_DEFAULT"),
                IsGlobal = info.Flag("IS_GLOBAL"),
            });
        }

        return list;
    }

    /// <summary>Custom networks (needs Network Support; 403 otherwise, thrown as <see cref="QualysApiException"/>).</summary>
    public async Task<IReadOnlyList<QualysNetwork>> ListNetworksAsync(CancellationToken cancellationToken)
    {
        var call = new Call("network list", HttpMethod.Get, Api("api/2.0/fo/network/?action=list"), CallKind.Idempotent);
        var doc = await XmlAsync(call, cancellationToken);
        ExpectRoot(call.Operation, doc, "NETWORK_LIST_OUTPUT");
        var list = new List<QualysNetwork>();
        foreach (var n in doc.Root!.Element("RESPONSE")?.Element("NETWORK_LIST")?.Elements("NETWORK") ?? [])
        {
            var id = n.Text("ID");
            if (string.IsNullOrEmpty(id))
            {
                throw new QualysResponseFormatException(call.Operation, "a NETWORK has no ID");
            }

            list.Add(new QualysNetwork
            {
                Id = id,
                Name = n.Text("NAME") ?? id,
                ApplianceNames = [.. n.Element("SCANNER_APPLIANCE_LIST")?.Elements("SCANNER_APPLIANCE").Select(s => s.Text("NAME") ?? string.Empty).Where(s => s.Length > 0) ?? []],
            });
        }

        return list;
    }

    // ---- scans ----------------------------------------------------------------------------------------------------

    /// <summary>
    /// Launches a scan. Never blindly retried: when a response is lost (reset, timeout, 5xx, 1981) the next attempt
    /// first looks for a scan with the same title launched since just before this call, and returns it if found, so one
    /// call never creates two scans.
    /// </summary>
    public async Task<ScanLaunchResult> LaunchScanAsync(ScanLaunchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var form = BuildLaunchForm(request);
        var call = new Call("scan launch", HttpMethod.Post, Api(ScanPath), CallKind.Launch) { Form = form };
        var since = _time.GetUtcNow() - _options.LaunchLookupSkew;
        var uncertain = false;
        try
        {
            return await ExecuteAsync(call.Operation, CallKind.Launch, async ct =>
            {
                if (uncertain)
                {
                    if (await RecoverLaunchAsync(call.Operation, request.Title, since, ct) is { } recovered)
                    {
                        return recovered;
                    }

                    uncertain = false;
                }

                try
                {
                    return ParseLaunch(call.Operation, Interpret(call, await SendOnceAsync(call, ct)));
                }
                catch (QualysException ex) when (ex.Transience is Transience.Transient or Transience.Processing)
                {
                    uncertain = true;
                    throw;
                }
            }, cancellationToken);
        }
        catch (QualysException) when (uncertain)
        {
            // Out of retries with the last outcome unknown: one last look so the caller never abandons a live scan.
            if (await RecoverLaunchAsync(call.Operation, request.Title, since, cancellationToken) is { } recovered)
            {
                return recovered;
            }

            throw;
        }
    }

    private async Task<ScanLaunchResult?> RecoverLaunchAsync(string operation, string title, DateTimeOffset since, CancellationToken cancellationToken)
    {
        LogLaunchLookup(_logger, operation, title);
        IReadOnlyList<QualysScan> found;
        try
        {
            found = await FindScansByTitleAsync(title, since, cancellationToken);
        }
        catch (QualysException ex)
        {
            throw new QualysApiException(operation, 0, null,
                $"the launch response was lost and the scan list could not be checked ({ex.Message})",
                hint: $"Not relaunching, to avoid a duplicate scan: look for a scan titled '{title}' in Qualys", inner: ex);
        }

        if (found.Count == 0)
        {
            return null;
        }

        var scan = found.OrderBy(s => s.LaunchedAt ?? DateTimeOffset.MaxValue).First();
        LogLaunchRecovered(_logger, operation, scan.Ref);
        return new ScanLaunchResult { ScanRef = scan.Ref, ScanId = scan.Id, RecoveredByTitle = true };
    }

    private static List<KeyValuePair<string, string>> BuildLaunchForm(ScanLaunchRequest r)
    {
        if (string.IsNullOrWhiteSpace(r.Title))
        {
            throw new ArgumentException("scan title: required (and unique: a lost launch is recovered by its title).", nameof(r));
        }

        if (r.Title.Trim().Length > 2000)
        {
            throw new ArgumentException($"scan title: at most 2000 characters, got {r.Title.Trim().Length}.", nameof(r));
        }

        if (string.IsNullOrWhiteSpace(r.OptionProfile))
        {
            throw new ArgumentException("option profile: required to launch a scan.", nameof(r));
        }

        var hasIp = !string.IsNullOrWhiteSpace(r.Ip);
        var hasEc2 = !string.IsNullOrWhiteSpace(r.Ec2InstanceId);
        if (hasIp == hasEc2)
        {
            throw new ArgumentException("target: give exactly one of a host IP or an EC2 instance ID.", nameof(r));
        }

        if (hasEc2 && (string.IsNullOrWhiteSpace(r.ConnectorName) || string.IsNullOrWhiteSpace(r.Ec2Endpoint)))
        {
            throw new ArgumentException("ec2: an EC2 scan needs the connector name and the instance region (ec2_endpoint).", nameof(r));
        }

        if (r.ScannersInNetwork && string.IsNullOrWhiteSpace(r.NetworkId))
        {
            throw new ArgumentException("scanner: 'all scanners in network' needs a network ID.", nameof(r));
        }

        if (r.Priority is < 0 or > 9)
        {
            throw new ArgumentException($"priority: must be 0..9, got {r.Priority}.", nameof(r));
        }

        var form = new List<KeyValuePair<string, string>>
        {
            new("action", "launch"),
            new("scan_title", r.Title.Trim()),
            new("option_title", r.OptionProfile.Trim()),
        };
        if (r.ScannersInNetwork)
        {
            form.Add(new("scanners_in_network", "1"));
        }
        else if (!string.IsNullOrWhiteSpace(r.ScannerName))
        {
            form.Add(new("iscanner_name", r.ScannerName.Trim()));
        }

        if (hasIp)
        {
            form.Add(new("ip", r.Ip!.Trim()));
            if (!string.IsNullOrWhiteSpace(r.NetworkId))
            {
                form.Add(new("ip_network_id", r.NetworkId.Trim()));
            }
        }
        else
        {
            form.Add(new("ec2_instance_ids", r.Ec2InstanceId!.Trim()));
            form.Add(new("connector_name", r.ConnectorName!.Trim()));
            form.Add(new("ec2_endpoint", r.Ec2Endpoint!.Trim()));
        }

        if (r.Priority is { } p)
        {
            form.Add(new("priority", p.ToString(CultureInfo.InvariantCulture)));
        }

        return form;
    }

    private static ScanLaunchResult ParseLaunch(string operation, XDocument doc)
    {
        ExpectRoot(operation, doc, "SIMPLE_RETURN");
        var reference = QualysXml.Item(doc, "REFERENCE");
        if (string.IsNullOrEmpty(reference))
        {
            throw new QualysResponseFormatException(operation, $"no scan REFERENCE in the launch response ({doc.Root!.Element("RESPONSE").Text("TEXT") ?? "no TEXT"})");
        }

        return new ScanLaunchResult
        {
            ScanRef = reference,
            ScanId = long.TryParse(QualysXml.Item(doc, "ID"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : null,
        };
    }

    /// <summary>The scan with this reference, or null when the list does not contain it.</summary>
    public async Task<QualysScan?> GetScanAsync(string scanRef, CancellationToken cancellationToken)
    {
        ValidateScanRef(scanRef);
        var scans = await ListScansAsync(new ScanListQuery { ScanRef = scanRef }, cancellationToken);
        return scans.FirstOrDefault(s => string.Equals(s.Ref, scanRef, StringComparison.Ordinal));
    }

    /// <summary>Scans whose title is exactly <paramref name="title"/> launched after <paramref name="launchedAfter"/>.</summary>
    public async Task<IReadOnlyList<QualysScan>> FindScansByTitleAsync(string title, DateTimeOffset launchedAfter, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        var scans = await ListScansAsync(new ScanListQuery { LaunchedAfter = launchedAfter }, cancellationToken);
        return [.. scans.Where(s => string.Equals(s.Title, title.Trim(), StringComparison.Ordinal))];
    }

    /// <summary>The scan list (<c>action=list</c>).</summary>
    public async Task<IReadOnlyList<QualysScan>> ListScansAsync(ScanListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.ScanRef is not null)
        {
            ValidateScanRef(query.ScanRef);
        }

        var url = Api($"{ScanListPath}?{Query(
            ("action", "list"),
            ("scan_ref", query.ScanRef),
            ("state", query.States.Count == 0 ? null : string.Join(',', query.States)),
            ("launched_after_datetime", query.LaunchedAfter?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)))}");
        var call = new Call("scan list", HttpMethod.Get, url, CallKind.Idempotent);
        var doc = await XmlAsync(call, cancellationToken);
        ExpectRoot(call.Operation, doc, "SCAN_LIST_OUTPUT");
        var list = new List<QualysScan>();
        foreach (var s in doc.Root!.Element("RESPONSE")?.Element("SCAN_LIST")?.Elements("SCAN") ?? [])
        {
            var reference = s.Text("REF");
            if (string.IsNullOrEmpty(reference))
            {
                throw new QualysResponseFormatException(call.Operation, "a SCAN has no REF");
            }

            var status = s.Element("STATUS");
            list.Add(new QualysScan
            {
                Ref = reference,
                Id = s.Long("ID"),
                Title = s.Text("TITLE"),
                Type = s.Text("TYPE"),
                State = status.Text("STATE"),
                SubState = string.IsNullOrEmpty(status.Text("SUB_STATE")) ? null : status.Text("SUB_STATE"),
                Processed = s.Flag("PROCESSED"),
                LaunchedAt = s.Date("LAUNCH_DATETIME"),
                Duration = s.Text("DURATION"),
                Target = s.Text("TARGET"),
                UserLogin = s.Text("USER_LOGIN"),
            });
        }

        return list;
    }

    /// <summary>Cancels a running or queued scan.</summary>
    public Task<ScanActionResult> CancelScanAsync(string scanRef, CancellationToken cancellationToken) => ScanActionAsync("cancel", scanRef, cancellationToken);

    public Task<ScanActionResult> PauseScanAsync(string scanRef, CancellationToken cancellationToken) => ScanActionAsync("pause", scanRef, cancellationToken);

    public Task<ScanActionResult> ResumeScanAsync(string scanRef, CancellationToken cancellationToken) => ScanActionAsync("resume", scanRef, cancellationToken);

    private async Task<ScanActionResult> ScanActionAsync(string action, string scanRef, CancellationToken cancellationToken)
    {
        ValidateScanRef(scanRef);
        var call = new Call($"scan {action}", HttpMethod.Post, Api(ScanPath), CallKind.NonIdempotent)
        {
            Form = [new("action", action), new("scan_ref", scanRef)],
        };
        var doc = await XmlAsync(call, cancellationToken);
        ExpectRoot(call.Operation, doc, "SIMPLE_RETURN");
        return new ScanActionResult(scanRef, doc.Root!.Element("RESPONSE").Text("TEXT"));
    }

    private static readonly Regex ScanRefPattern = new("^[A-Za-z]+/[0-9]+(?:\\.[0-9]+)?$", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, TimeSpan.FromSeconds(1));

    internal static void ValidateScanRef(string scanRef)
    {
        if (string.IsNullOrWhiteSpace(scanRef) || !ScanRefPattern.IsMatch(scanRef))
        {
            throw new ArgumentException($"scan reference: '{scanRef}' is not a Qualys scan reference like scan/1358285558.36992.", nameof(scanRef));
        }
    }

    private static void ExpectRoot(string operation, XDocument doc, params string[] names)
    {
        var root = doc.Root?.Name.LocalName;
        if (root is null || !names.Contains(root, StringComparer.Ordinal))
        {
            throw new QualysResponseFormatException(operation, $"expected <{string.Join("> or <", names)}> but got <{root ?? "nothing"}>");
        }
    }

    // ---- QPS: connectors and host assets --------------------------------------------------------------------------

    /// <summary>AWS connectors, following QPS pagination; <paramref name="name"/> keeps only that exact name.</summary>
    public async Task<IReadOnlyList<AwsConnector>> SearchAwsConnectorsAsync(string? name, CancellationToken cancellationToken)
    {
        var criteria = string.IsNullOrWhiteSpace(name) ? [] : new[] { new QpsCriterion("name", "EQUALS", name.Trim()) };
        var all = new List<AwsConnector>();
        var offset = 1;
        for (var page = 0; page < 10_000; page++)
        {
            var call = new Call("connector search", HttpMethod.Post, Api("qps/rest/2.0/search/am/awsassetdataconnector/"), CallKind.Idempotent)
            {
                XmlBody = QpsRequest.Build(criteria, offset, _options.QpsPageSize),
            };
            var doc = await XmlAsync(call, cancellationToken);
            ExpectRoot(call.Operation, doc, "ServiceResponse");
            var items = doc.Root!.Element("data")?.Elements().Where(e => e.Name.LocalName is "AwsAssetDataConnector" or "AssetDataConnector").ToList() ?? [];
            all.AddRange(items.Select(i => ParseConnector(call.Operation, i)));
            if (!string.Equals(doc.Root.Text("hasMoreRecords"), "true", StringComparison.OrdinalIgnoreCase))
            {
                return string.IsNullOrWhiteSpace(name) ? all : [.. all.Where(c => string.Equals(c.Name, name.Trim(), StringComparison.Ordinal))];
            }

            if (items.Count == 0)
            {
                throw new QualysResponseFormatException(call.Operation, "hasMoreRecords is true but the page is empty");
            }

            offset += items.Count;
        }

        throw new QualysResponseFormatException("connector search", "pagination did not end");
    }

    /// <summary>One connector by ID (<c>get/am/assetdataconnector</c>).</summary>
    public async Task<AwsConnector> GetConnectorAsync(long connectorId, CancellationToken cancellationToken)
    {
        var call = new Call("connector get", HttpMethod.Get, Api($"qps/rest/2.0/get/am/assetdataconnector/{connectorId.ToString(CultureInfo.InvariantCulture)}"), CallKind.Idempotent);
        return SingleConnector(call.Operation, await XmlAsync(call, cancellationToken));
    }

    /// <summary>Starts a connector run; returns the state Qualys reports (QUEUED, RUNNING ...).</summary>
    public async Task<AwsConnector> RunConnectorAsync(long connectorId, CancellationToken cancellationToken)
    {
        var call = new Call("connector run", HttpMethod.Post, Api($"qps/rest/2.0/run/am/assetdataconnector/{connectorId.ToString(CultureInfo.InvariantCulture)}"), CallKind.NonIdempotent);
        return SingleConnector(call.Operation, await XmlAsync(call, cancellationToken));
    }

    private static AwsConnector SingleConnector(string operation, XDocument doc)
    {
        ExpectRoot(operation, doc, "ServiceResponse");
        var item = doc.Root!.Element("data")?.Elements().FirstOrDefault(e => e.Name.LocalName is "AwsAssetDataConnector" or "AssetDataConnector")
            ?? throw new QualysResponseFormatException(operation, "no connector in the response data");
        return ParseConnector(operation, item);
    }

    private static AwsConnector ParseConnector(string operation, XElement e) => new()
    {
        Id = e.Long("id") ?? throw new QualysResponseFormatException(operation, "a connector has no numeric id"),
        Name = e.Text("name"),
        State = e.Text("connectorState"),
        AwsAccountId = e.Text("awsAccountId"),
        LastError = e.Text("lastError"),
        LastSync = e.Date("lastSync"),
        Disabled = e.Text("disabled") is { } d ? string.Equals(d, "true", StringComparison.OrdinalIgnoreCase) : null,
    };

    /// <summary>EC2 host assets by instance ID (and AWS account ID): instanceState and region come from Ec2AssetSourceSimple.</summary>
    public async Task<IReadOnlyList<Ec2HostAsset>> FindEc2HostAssetsAsync(string instanceId, string? accountId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        var criteria = new List<QpsCriterion> { new("instanceId", "EQUALS", instanceId.Trim()) };
        if (!string.IsNullOrWhiteSpace(accountId))
        {
            criteria.Add(new("accountId", "EQUALS", accountId.Trim()));
        }

        var call = new Call("host asset search", HttpMethod.Post, Api("qps/rest/2.0/search/am/hostasset"), CallKind.Idempotent)
        {
            XmlBody = QpsRequest.Build(criteria),
        };
        var doc = await XmlAsync(call, cancellationToken);
        ExpectRoot(call.Operation, doc, "ServiceResponse");
        return
        [
            .. (doc.Root!.Element("data")?.Elements("HostAsset") ?? []).Select(h =>
            {
                var ec2 = h.Element("sourceInfo")?.Element("list")?.Elements("Ec2AssetSourceSimple").FirstOrDefault();
                return new Ec2HostAsset
                {
                    Id = h.Long("id"),
                    QwebHostId = h.Long("qwebHostId"),
                    Name = h.Text("name"),
                    Address = h.Text("address"),
                    InstanceId = ec2.Text("instanceId"),
                    InstanceState = ec2.Text("instanceState"),
                    Region = ec2.Text("region"),
                    AccountId = ec2.Text("accountId"),
                };
            }),
        ];
    }

    // ---- KnowledgeBase and host detections (paged with WARNING 1980) ---------------------------------------------

    /// <summary>KnowledgeBase vulnerabilities, page by page, following the 1980 truncation URLs.</summary>
    public async IAsyncEnumerable<KbVulnerability> ListKnowledgeBaseAsync(KbQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var form = new List<KeyValuePair<string, string>> { new("action", "list"), new("details", query.Details) };
        if (query.Ids.Count > 0)
        {
            form.Add(new("ids", string.Join(',', query.Ids)));
        }

        if (query.LastModifiedAfter is { } after)
        {
            form.Add(new("last_modified_after", after.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
        }

        var call = new Call("knowledge base list", HttpMethod.Post, Api(KbPath), CallKind.Idempotent) { Form = form };
        while (true)
        {
            var doc = await XmlAsync(call, cancellationToken);
            ExpectRoot(call.Operation, doc, "KNOWLEDGE_BASE_VULN_LIST_OUTPUT");
            var response = doc.Root!.Element("RESPONSE");
            foreach (var v in response?.Element("VULN_LIST")?.Elements("VULN") ?? [])
            {
                yield return new KbVulnerability
                {
                    Qid = v.Long("QID") ?? throw new QualysResponseFormatException(call.Operation, "a VULN has no numeric QID"),
                    VulnType = v.Text("VULN_TYPE"),
                    Severity = v.Int("SEVERITY_LEVEL"),
                    Title = v.Text("TITLE"),
                    Category = v.Text("CATEGORY"),
                    PciFlag = v.Flag("PCI_FLAG"),
                    Patchable = v.Flag("PATCHABLE"),
                    CveIds = [.. v.Element("CVE_LIST")?.Elements("CVE").Select(c => c.Text("ID") ?? string.Empty).Where(s => s.Length > 0) ?? []],
                    CvssBase = v.TextAt("CVSS", "BASE"),
                    Cvss3Base = v.TextAt("CVSS_V3", "BASE"),
                    Published = v.Date("PUBLISHED_DATETIME"),
                };
            }

            if (NextPage(call, response) is not { } next)
            {
                yield break;
            }

            call = next;
        }
    }

    /// <summary>Host detections (one item per host), following the 1980 truncation URLs verbatim.</summary>
    public async IAsyncEnumerable<HostDetections> ListHostDetectionsAsync(HostDetectionQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var url = Api($"{DetectionPath}?{Query(
            ("action", "list"),
            ("ips", query.Ips.Count == 0 ? null : string.Join(',', query.Ips)),
            ("ids", query.HostIds.Count == 0 ? null : string.Join(',', query.HostIds.Select(i => i.ToString(CultureInfo.InvariantCulture)))),
            ("qids", query.Qids.Count == 0 ? null : string.Join(',', query.Qids.Select(i => i.ToString(CultureInfo.InvariantCulture)))),
            ("status", query.Statuses.Count == 0 ? null : string.Join(',', query.Statuses)),
            ("show_igs", query.ShowIgs ? "1" : null),
            ("show_results", query.ShowResults ? "1" : "0"),
            ("vm_scan_since", query.VmScanSince?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            ("truncation_limit", query.TruncationLimit?.ToString(CultureInfo.InvariantCulture)))}");
        var call = new Call("host detection list", HttpMethod.Get, url, CallKind.Idempotent);
        while (true)
        {
            var doc = await XmlAsync(call, cancellationToken);
            ExpectRoot(call.Operation, doc, "HOST_LIST_VM_DETECTION_OUTPUT");
            var response = doc.Root!.Element("RESPONSE");
            foreach (var h in response?.Element("HOST_LIST")?.Elements("HOST") ?? [])
            {
                yield return new HostDetections
                {
                    HostId = h.Long("ID"),
                    Ip = h.Text("IP"),
                    Dns = h.Text("DNS"),
                    Os = h.Text("OS"),
                    TrackingMethod = h.Text("TRACKING_METHOD"),
                    LastScan = h.Date("LAST_SCAN_DATETIME"),
                    Detections =
                    [
                        .. (h.Element("DETECTION_LIST")?.Elements("DETECTION") ?? []).Select(d => new HostDetection
                        {
                            Qid = d.Long("QID") ?? throw new QualysResponseFormatException(call.Operation, "a DETECTION has no numeric QID"),
                            Type = d.Text("TYPE"),
                            Severity = d.Int("SEVERITY"),
                            Port = d.Text("PORT"),
                            Protocol = d.Text("PROTOCOL"),
                            Ssl = d.Flag("SSL"),
                            Status = d.Text("STATUS"),
                            Results = d.Text("RESULTS"),
                            FirstFound = d.Date("FIRST_FOUND_DATETIME"),
                            LastFound = d.Date("LAST_FOUND_DATETIME"),
                        }),
                    ],
                };
            }

            if (NextPage(call, response) is not { } next)
            {
                yield break;
            }

            call = next;
        }
    }

    /// <summary>The call for the next page when the response ends with WARNING 1980 and a URL; null on the last page.</summary>
    private Call? NextPage(Call current, XElement? response)
    {
        var warning = response?.Element("WARNING");
        if (warning is null || !string.Equals(warning.Text("CODE"), "1980", StringComparison.Ordinal))
        {
            return null;
        }

        var text = warning.Text("URL");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var next))
        {
            throw new QualysResponseFormatException(current.Operation, "a 1980 truncation warning has no usable URL, so the list would be incomplete");
        }

        var api = _options.Platform.ApiUrl;
        if (!string.Equals(next.Host, api.Host, StringComparison.OrdinalIgnoreCase) || next.Port != api.Port || !string.Equals(next.Scheme, api.Scheme, StringComparison.Ordinal))
        {
            // Following it would send our credentials to another server.
            throw new QualysResponseFormatException(current.Operation, $"the next-page URL points at {next.Scheme}://{next.Host}:{next.Port}, not the platform; refusing to follow it");
        }

        return current with { Method = HttpMethod.Get, Url = next, Form = null };
    }
}

/// <summary>Filters for the scan list.</summary>
public sealed record ScanListQuery
{
    public string? ScanRef { get; init; }

    public DateTimeOffset? LaunchedAfter { get; init; }

    /// <summary>Running, Paused, Canceled, Finished, Error, Queued, Loading.</summary>
    public IReadOnlyList<string> States { get; init; } = [];
}
