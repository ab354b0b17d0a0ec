using ScanGate.Policy;
using ScanGate.Scanning;

namespace ScanGate.Configuration;

/// <summary>A fully validated <c>scangate scan</c> configuration.</summary>
public sealed record ScanSettings(QualysConnectionSettings Connection, ScanRequest Request, string? PolicyFile, CiEnvironment Ci)
{
    /// <summary>
    /// The criteria from every layer (flag &gt; environment &gt; scangate.yml), each value already checked; the
    /// policy file (<see cref="PolicyFile"/>) is the base they override, as <see cref="PolicyBuilder"/> applies them.
    /// </summary>
    public PolicyOverrides Criteria { get; init; } = new();
}

/// <summary>What to scan and how to judge it: everything of <see cref="ScanSettings"/> but the connection.</summary>
public sealed record ScanPlan(ScanRequest Request, string? PolicyFile, PolicyOverrides Criteria);

/// <summary>Builds validated settings from the layers (flags &gt; environment &gt; config file). Errors name the field.</summary>
public static class ScanConfiguration
{
    public const string DefaultOutputDirectory = "scangate-out";

    /// <summary>Why the password is never a flag (said wherever someone looks for one).</summary>
    public const string NoPasswordFlag = "there is no password flag: it would show in process lists and CI logs";

    /// <summary>Where the password comes from instead.</summary>
    public const string PasswordSources = "set QUALYS_PASSWORD, or use --password-file FILE or --password-stdin";

    /// <summary>How the password was given on the command line (it is never a flag value).</summary>
    public sealed record PasswordSource(string? File, bool FromStdin);

    public static QualysConnectionSettings BuildConnection(ConfigurationLayers layers, PasswordSource password, TextReader stdin)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(password);
        // A platform and an API URL are one choice: the highest layer that makes it wins (flag > environment > file).
        var endpoint = layers.FindChoice("platform", "api_url");
        if (endpoint.Count > 1)
        {
            throw new ConfigurationException($"{endpoint[0].Source} and {endpoint[1].Source}: give a platform code or an API URL, not both.");
        }

        if (endpoint.Count == 0)
        {
            throw new ConfigurationException("--platform", null, "required: a platform code such as US1 or EU2 (QUALYS_PLATFORM), or --api-url URL (QUALYS_API_URL).");
        }

        var platform = endpoint.SingleOrDefault(s => string.Equals(s.Key, "platform", StringComparison.Ordinal));
        var apiUrl = endpoint.SingleOrDefault(s => string.Equals(s.Key, "api_url", StringComparison.Ordinal));
        var username = layers.Get("username") ?? throw new ConfigurationException("--username", null, "required (or QUALYS_USERNAME).");
        return new QualysConnectionSettings
        {
            Platform = platform?.Value.Trim(),
            ApiUrl = apiUrl is { } url ? SettingRules.ApiUrl(url.Source, url.Value) : null,
            Username = username.Value.Trim(),
            Password = ReadPassword(layers, password, stdin),
            Proxy = layers.Find("proxy") is { } proxy ? SettingRules.Proxy(proxy.Source, proxy.Value) : null,
            ProxyUsername = layers.Environment.GetVariable("QUALYS_PROXY_USERNAME") is { Length: > 0 } proxyUser ? proxyUser : null,
            ProxyPassword = layers.Environment.GetVariable("QUALYS_PROXY_PASSWORD") is { Length: > 0 } proxyPassword ? proxyPassword : null,
            CaCertificateFile = layers.Find("ca_cert") is { } ca ? ExistingFile(layers, ca) : null,
        };
    }

    public static ScanSettings Build(ConfigurationLayers layers, PasswordSource password, TextReader stdin, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var connection = BuildConnection(layers, password, stdin);
        var ci = CiEnvironment.Detect(layers.Environment);
        var plan = BuildPlan(layers, ci, now);
        return new ScanSettings(connection, plan.Request, plan.PolicyFile, ci) { Criteria = plan.Criteria };
    }

    /// <summary>The scan request, the policy file and the criteria (no connection, no password needed).</summary>
    public static ScanPlan BuildPlan(ConfigurationLayers layers, CiEnvironment ci, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(ci);
        var target = BuildTarget(layers);

        var scannerSetting = layers.Find("scanner");
        var scanner = scannerSetting is not null ? SettingRules.Name(scannerSetting.Source, scannerSetting.Value) : "External";
        if (string.Equals(scanner, ScanRequest.AllScannersInNetwork, StringComparison.OrdinalIgnoreCase) && target is not HostTarget { NetworkId: not null })
        {
            throw new ConfigurationException(scannerSetting?.Source ?? "--scanner", scanner, "all-in-network needs a host target with --network-id.");
        }

        var optionProfile = layers.Find("option_profile") is { } profile ? SettingRules.Name(profile.Source, profile.Value) : "Initial Options";
        var poll = layers.Find("poll_interval");
        var pollInterval = poll is not null ? SettingRules.PollInterval(poll.Source, poll.Value) : TimeSpan.FromMinutes(2);
        var time = layers.Find("timeout");
        var timeout = time is not null ? SettingRules.Timeout(time.Source, time.Value) : TimeSpan.FromMinutes(60);
        if (timeout < pollInterval)
        {
            throw new ConfigurationException(time?.Source ?? "--timeout", ScanLifecycle.FormatSpan(timeout), $"shorter than the poll interval ({ScanLifecycle.FormatSpan(pollInterval)}).");
        }

        var onHostDown = layers.Find("on_host_down") is { } hostDown ? SettingRules.OnHostDown(hostDown.Source, hostDown.Value) : HostDownAction.Fail;
        var scanName = layers.Find("scan_name");
        var title = ScanTitle.Expand(scanName?.Value ?? ScanTitle.DefaultTemplate, ci.JobName, ci.BuildNumber, now, scanName?.Source ?? "--scan-name");
        var outputDirectory = layers.Get("output_dir") is { } output ? layers.ResolvePath("output_dir", output.Value) : Path.Combine(layers.WorkingDirectory, DefaultOutputDirectory);
        var policy = layers.Find("policy") is { } policyFile ? ExistingFile(layers, policyFile) : null;

        var request = new ScanRequest
        {
            Target = target,
            Title = title,
            OptionProfile = optionProfile,
            Scanner = scanner,
            PollInterval = pollInterval,
            Timeout = timeout,
            OnHostDown = onHostDown,
            LeaveRunning = layers.GetBool("leave_running"),
            OutputDirectory = outputDirectory,
        };
        return new ScanPlan(request, policy, BuildCriteria(layers, policy));
    }

    /// <summary>
    /// The criteria flags given on the command line as flag-layer entries (key to values), so they take part in the
    /// layers like every other flag: pass them in the flags of <see cref="ConfigurationLayers"/>.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> CriteriaFlags(PolicyOverrides given)
    {
        ArgumentNullException.ThrowIfNull(given);
        var entries = new (string Key, string? Value)[]
        {
            ("policy", given.PolicyFile),
            ("fail_on_severity", given.FailOnSeverity),
            ("fail_on_qids", given.FailOnQids),
            ("fail_on_cves", given.FailOnCves),
            ("fail_on_cvss2", given.FailOnCvss2),
            ("fail_on_cvss3", given.FailOnCvss3),
            ("fail_on_pci", given.FailOnPci is { } pci ? (pci ? "true" : "false") : null),
            ("include_potential", given.IncludePotential is { } potential ? (potential ? "true" : "false") : null),
            ("exclude_qids", given.ExcludeQids),
            ("exclude_cves", given.ExcludeCves),
            ("exceptions", given.ExceptionsFile),
        };
        foreach (var (key, value) in entries)
        {
            if (value is not null)
            {
                yield return new(key, [value]);
            }
        }
    }

    private static PolicyOverrides BuildCriteria(ConfigurationLayers layers, string? policyFile)
    {
        string? Checked(string key, Func<Setting, string> check) => layers.Find(key) is { } found ? check(found) : null;
        bool? Switch(string key) => layers.Find(key) is { } found ? SettingRules.Boolean(found.Source, found.Value) : null;
        return new PolicyOverrides
        {
            PolicyFile = policyFile,
            FailOnSeverity = Checked("fail_on_severity", s => SettingRules.Severity(s.Source, s.Value).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            FailOnQids = Checked("fail_on_qids", s => SettingRules.Qids(s.Source, s.Values).Text),
            FailOnCves = Checked("fail_on_cves", s => SettingRules.Cves(s.Source, s.Values).Text),
            FailOnCvss2 = Checked("fail_on_cvss2", s => SettingRules.CvssThreshold(s.Source, s.Value).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            FailOnCvss3 = Checked("fail_on_cvss3", s => SettingRules.CvssThreshold(s.Source, s.Value).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            FailOnPci = Switch("fail_on_pci"),
            IncludePotential = Switch("include_potential"),
            ExcludeQids = Checked("exclude_qids", s => SettingRules.Qids(s.Source, s.Values).Text),
            ExcludeCves = Checked("exclude_cves", s => SettingRules.Cves(s.Source, s.Values).Text),
            // A path from the file is relative to the file; one from a flag or variable stays as given (the policy
            // builder resolves it against the working directory and says when it does not exist).
            ExceptionsFile = Checked("exceptions", s => s.Layer == SettingLayer.File ? layers.ResolvePath("exceptions", s.Value.Trim()) : s.Value.Trim()),
        };
    }

    private static ScanTarget BuildTarget(ConfigurationLayers layers)
    {
        // Hosts or an EC2 instance is one choice: the highest layer that makes it wins, and the other kind's settings
        // from lower layers belong to the target it replaced.
        var choice = layers.FindChoice("host", "ec2_instance");
        if (choice.Count > 1)
        {
            throw new ConfigurationException($"{choice[0].Source} and {choice[1].Source}: scan hosts or one EC2 instance, not both.");
        }

        if (choice.Count == 0)
        {
            throw new ConfigurationException("--host", null, "a target is required: --host ADDRESS[,RANGE,CIDR...] or --ec2-instance ID --ec2-connector NAME.");
        }

        var chosen = choice[0];
        Setting? Own(string key) => layers.Find(key) is { } found && found.Layer <= chosen.Layer ? found : null;
        if (string.Equals(chosen.Key, "host", StringComparison.Ordinal))
        {
            foreach (var key in new[] { "ec2_connector", "ec2_region" })
            {
                if (Own(key) is { } stray)
                {
                    throw new ConfigurationException(stray.Source, stray.Value, "only applies to an EC2 target (--ec2-instance).");
                }
            }

            var entries = SettingRules.Hosts(chosen.Source, chosen.Values);
            var network = layers.Find("network_id") is { Value.Length: > 0 } networkSetting && networkSetting.Value.Trim().Length > 0
                ? SettingRules.NetworkId(networkSetting.Source, networkSetting.Value)
                : null;
            return new HostTarget(entries, network);
        }

        var id = SettingRules.Ec2Instance(chosen.Source, chosen.Value);
        var connector = layers.Find("ec2_connector") ?? throw new ConfigurationException("--ec2-connector", null, "required with --ec2-instance: the name of the Qualys AWS connector.");
        if (Own("network_id") is { } strayNetwork)
        {
            throw new ConfigurationException(strayNetwork.Source, strayNetwork.Value, "only applies to host targets.");
        }

        var region = layers.Get("ec2_region")?.Value.Trim();
        return new Ec2Target(id, connector.Value.Trim(), layers.GetBool("run_connector"), string.IsNullOrEmpty(region) ? null : region);
    }

    private static string ReadPassword(ConfigurationLayers layers, PasswordSource source, TextReader stdin)
    {
        var file = source.File ?? layers.Get("password_file")?.Value;
        if (source.FromStdin && file is not null)
        {
            throw new ConfigurationException("--password-stdin and --password-file: give one of them.");
        }

        string? password;
        string origin;
        if (source.FromStdin)
        {
            password = stdin.ReadLine();
            origin = "--password-stdin";
        }
        else if (file is not null)
        {
            var path = source.File is not null ? Path.GetFullPath(file, layers.WorkingDirectory) : layers.ResolvePath("password_file", file);
            if (!File.Exists(path))
            {
                throw new ConfigurationException("--password-file", file, "file not found.");
            }

            password = File.ReadAllText(path).TrimEnd('\r', '\n');
            origin = "--password-file";
        }
        else
        {
            password = layers.Environment.GetVariable("QUALYS_PASSWORD");
            origin = "QUALYS_PASSWORD";
            if (password is null)
            {
                throw new ConfigurationException("QUALYS_PASSWORD", null, $"no password: {PasswordSources} ({NoPasswordFlag}).");
            }
        }

        if (string.IsNullOrEmpty(password))
        {
            throw new ConfigurationException(origin, null, "the password is empty.");
        }

        return password;
    }

    private static string ExistingFile(ConfigurationLayers layers, Setting setting)
    {
        var path = layers.ResolvePath(setting.Key, setting.Value.Trim());
        if (!File.Exists(path))
        {
            throw new ConfigurationException(setting.Source, setting.Value, "file not found.");
        }

        return path;
    }
}
