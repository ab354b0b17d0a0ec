using ScanGate.Scanning;

namespace ScanGate.Configuration;

/// <summary>A fully validated <c>scangate scan</c> configuration.</summary>
public sealed record ScanSettings(QualysConnectionSettings Connection, ScanRequest Request, string? PolicyFile, CiEnvironment Ci);

/// <summary>Builds validated settings from the layers (flags &gt; environment &gt; config file). Errors name the field.</summary>
public static class ScanConfiguration
{
    public const string DefaultOutputDirectory = "scangate-out";

    /// <summary>How the password was given on the command line (it is never a flag value).</summary>
    public sealed record PasswordSource(string? File, bool FromStdin);

    public static QualysConnectionSettings BuildConnection(ConfigurationLayers layers, PasswordSource password, TextReader stdin)
    {
        var platform = layers.Get("platform");
        var apiUrl = layers.Get("api_url");
        if (platform is not null && apiUrl is not null)
        {
            throw new ConfigurationException($"{platform.Value.Source} and {apiUrl.Value.Source}: give a platform code or an API URL, not both.");
        }

        if (platform is null && apiUrl is null)
        {
            throw new ConfigurationException("--platform", null, "required: a platform code such as US1 or EU2 (QUALYS_PLATFORM), or --api-url URL (QUALYS_API_URL).");
        }

        var username = layers.Get("username") ?? throw new ConfigurationException("--username", null, "required (or QUALYS_USERNAME).");
        return new QualysConnectionSettings
        {
            Platform = platform?.Value.Trim(),
            ApiUrl = apiUrl is { } url ? ParseUrl(url.Source, url.Value, allowPlainHttpOnLoopback: true) : null,
            Username = username.Value.Trim(),
            Password = ReadPassword(layers, password, stdin),
            Proxy = layers.Get("proxy") is { } proxy ? ParseUrl(proxy.Source, proxy.Value, allowPlainHttpOnLoopback: false, proxy: true) : null,
            ProxyUsername = layers.Environment.GetVariable("QUALYS_PROXY_USERNAME") is { Length: > 0 } proxyUser ? proxyUser : null,
            ProxyPassword = layers.Environment.GetVariable("QUALYS_PROXY_PASSWORD") is { Length: > 0 } proxyPassword ? proxyPassword : null,
            CaCertificateFile = layers.Get("ca_cert") is { } ca ? ExistingFile(layers, "ca_cert", ca.Source, ca.Value) : null,
        };
    }

    public static ScanSettings Build(ConfigurationLayers layers, PasswordSource password, TextReader stdin, DateTimeOffset now)
    {
        var connection = BuildConnection(layers, password, stdin);
        var ci = CiEnvironment.Detect(layers.Environment);
        var target = BuildTarget(layers);

        var scanner = layers.Get("scanner")?.Value.Trim() ?? "External";
        if (scanner.Length == 0)
        {
            throw new ConfigurationException("--scanner", scanner, "must not be empty.");
        }

        if (string.Equals(scanner, ScanRequest.AllScannersInNetwork, StringComparison.OrdinalIgnoreCase) && target is not HostTarget { NetworkId: not null })
        {
            throw new ConfigurationException("--scanner", scanner, "all-in-network needs a host target with --network-id.");
        }

        var optionProfile = layers.Get("option_profile")?.Value.Trim() ?? "Initial Options";
        if (optionProfile.Length == 0)
        {
            throw new ConfigurationException("--option-profile", optionProfile, "must not be empty.");
        }

        var pollInterval = layers.Get("poll_interval") is { } poll ? DurationParser.ParsePollInterval(poll.Source, poll.Value) : TimeSpan.FromMinutes(2);
        var timeout = layers.Get("timeout") is { } time ? DurationParser.Parse(time.Source, time.Value) : TimeSpan.FromMinutes(60);
        if (timeout < pollInterval)
        {
            throw new ConfigurationException("--timeout", ScanLifecycle.FormatSpan(timeout), $"shorter than the poll interval ({ScanLifecycle.FormatSpan(pollInterval)}).");
        }

        var onHostDown = HostDownAction.Fail;
        if (layers.Get("on_host_down") is { } hostDown)
        {
            onHostDown = hostDown.Value.Trim().ToLowerInvariant() switch
            {
                "fail" => HostDownAction.Fail,
                "warn" => HostDownAction.Warn,
                "pass" => HostDownAction.Pass,
                _ => throw new ConfigurationException(hostDown.Source, hostDown.Value, "must be fail, warn or pass."),
            };
        }

        var template = layers.Get("scan_name")?.Value ?? ScanTitle.DefaultTemplate;
        var title = ScanTitle.Expand(template, ci.JobName, ci.BuildNumber, now);
        var outputDirectory = layers.Get("output_dir") is { } output ? layers.ResolvePath("output_dir", output.Value) : Path.Combine(layers.WorkingDirectory, DefaultOutputDirectory);
        var policy = layers.Get("policy") is { } policyFile ? ExistingFile(layers, "policy", policyFile.Source, policyFile.Value) : null;

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
        return new ScanSettings(connection, request, policy, ci);
    }

    private static ScanTarget BuildTarget(ConfigurationLayers layers)
    {
        var hosts = layers.GetList("host");
        var instance = layers.Get("ec2_instance");
        if (hosts is not null && instance is not null)
        {
            throw new ConfigurationException($"{hosts.Value.Source} and {instance.Value.Source}: scan hosts or one EC2 instance, not both.");
        }

        if (hosts is { } h)
        {
            foreach (var key in new[] { "ec2_connector", "ec2_region" })
            {
                if (layers.Get(key) is { } stray)
                {
                    throw new ConfigurationException(stray.Source, stray.Value, "only applies to an EC2 target (--ec2-instance).");
                }
            }

            var entries = TargetParser.Parse(h.Source, h.Values);
            var network = layers.Get("network_id")?.Value.Trim();
            if (network is not null && !network.All(char.IsAsciiDigit))
            {
                throw new ConfigurationException("--network-id", network, "must be a numeric network ID (see 'scangate list networks').");
            }

            return new HostTarget(entries, string.IsNullOrEmpty(network) ? null : network);
        }

        if (instance is { } i)
        {
            var id = i.Value.Trim();
            if (!System.Text.RegularExpressions.Regex.IsMatch(id, "^i-[0-9a-fA-F]{8,17}$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)))
            {
                throw new ConfigurationException(i.Source, id, "not an EC2 instance id (i- followed by 8 or 17 hex digits).");
            }

            var connector = layers.Get("ec2_connector") ?? throw new ConfigurationException("--ec2-connector", null, "required with --ec2-instance: the name of the Qualys AWS connector.");
            if (layers.Get("network_id") is { } network)
            {
                throw new ConfigurationException(network.Source, network.Value, "only applies to host targets.");
            }

            var region = layers.Get("ec2_region")?.Value.Trim();
            return new Ec2Target(id, connector.Value.Trim(), layers.GetBool("run_connector"), string.IsNullOrEmpty(region) ? null : region);
        }

        throw new ConfigurationException("--host", null, "a target is required: --host ADDRESS[,RANGE,CIDR...] or --ec2-instance ID --ec2-connector NAME.");
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
                throw new ConfigurationException("QUALYS_PASSWORD", null, "no password: set QUALYS_PASSWORD, or use --password-file FILE or --password-stdin (there is no password flag: it would show in process lists and CI logs).");
            }
        }

        if (string.IsNullOrEmpty(password))
        {
            throw new ConfigurationException(origin, null, "the password is empty.");
        }

        return password;
    }

    private static Uri ParseUrl(string field, string value, bool allowPlainHttpOnLoopback, bool proxy = false)
    {
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (!string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal) && !string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal)))
        {
            throw new ConfigurationException(field, Redact(value), "not an http(s) URL.");
        }

        if (!proxy && string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal) && !(allowPlainHttpOnLoopback && uri.IsLoopback))
        {
            throw new ConfigurationException(field, Redact(value), "must be https (plain http is only allowed on loopback, e.g. the emulator).");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new ConfigurationException(field, Redact(value), proxy
                ? "must not carry credentials (they would show in process lists and logs); use QUALYS_PROXY_USERNAME and QUALYS_PROXY_PASSWORD."
                : "must not carry credentials; use --username and QUALYS_PASSWORD.");
        }

        return uri;
    }

    /// <summary>Hides the user-info part of a URL (proxy credentials) in messages.</summary>
    private static string Redact(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0 ? value.Replace(uri.UserInfo, "***", StringComparison.Ordinal) : value;

    private static string ExistingFile(ConfigurationLayers layers, string key, string source, string value)
    {
        var path = layers.ResolvePath(key, value.Trim());
        if (!File.Exists(path))
        {
            throw new ConfigurationException(source, value, "file not found.");
        }

        return path;
    }
}
