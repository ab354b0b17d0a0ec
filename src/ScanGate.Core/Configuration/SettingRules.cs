using System.Text.RegularExpressions;
using ScanGate.Policy;
using ScanGate.Scanning;

namespace ScanGate.Configuration;

/// <summary>
/// The rule for each kind of setting value, in one place: <see cref="ScanConfiguration"/> (flags, environment,
/// <c>scangate.yml</c>) and <c>scangate init</c> call these, so every entry point accepts and refuses the same inputs
/// with the same message. Each delegates to the one parser of its kind (<see cref="TargetParser"/>,
/// <see cref="DurationParser"/>, <see cref="QidList"/>, <see cref="CveList"/>, <see cref="CvssScore"/>,
/// <see cref="RuleSet.ParseSeverity"/>). <c>field</c> names where the value came from (<c>--poll-interval</c>,
/// <c>SCANGATE_POLL_INTERVAL</c>, <c>scangate.yml: poll_interval</c>); every error is a
/// <see cref="ConfigurationException"/> (exit 2) that starts with it.
/// </summary>
public static partial class SettingRules
{
    public static IReadOnlyList<string> Hosts(string field, IEnumerable<string> values) => TargetParser.Parse(field, values);

    public static TimeSpan PollInterval(string field, string value) => DurationParser.ParsePollInterval(field, value);

    public static TimeSpan Timeout(string field, string value) => DurationParser.Parse(field, value);

    /// <summary>The Qualys API URL: https, or plain http on loopback (the emulator); never with credentials.</summary>
    public static Uri ApiUrl(string field, string value) => ParseUrl(field, value, proxy: false);

    /// <summary>A proxy URL: http or https, without credentials (they come from QUALYS_PROXY_USERNAME/PASSWORD).</summary>
    public static Uri Proxy(string field, string value) => ParseUrl(field, value, proxy: true);

    public static string NetworkId(string field, string value)
    {
        var network = value.Trim();
        if (network.Length == 0 || !network.All(char.IsAsciiDigit))
        {
            throw new ConfigurationException(field, network, "must be a numeric network ID (see 'scangate list networks').");
        }

        return network;
    }

    public static string Ec2Instance(string field, string value)
    {
        var id = value.Trim();
        if (!Ec2InstanceId().IsMatch(id))
        {
            throw new ConfigurationException(field, id, "not an EC2 instance id (i- followed by 8 or 17 hex digits).");
        }

        return id;
    }

    public static HostDownAction OnHostDown(string field, string value) => value.Trim().ToUpperInvariant() switch
    {
        "FAIL" => HostDownAction.Fail,
        "WARN" => HostDownAction.Warn,
        "PASS" => HostDownAction.Pass,
        _ => throw new ConfigurationException(field, value, "must be fail, warn or pass."),
    };

    public static bool Boolean(string field, string value) => value.Trim().ToUpperInvariant() switch
    {
        "TRUE" or "1" or "YES" or "ON" => true,
        "FALSE" or "0" or "NO" or "OFF" => false,
        _ => throw new ConfigurationException(field, value, "not a boolean; use true or false."),
    };

    /// <summary>A name that must not be empty (scanner, option profile).</summary>
    public static string Name(string field, string value)
    {
        var name = value.Trim();
        if (name.Length == 0)
        {
            throw new ConfigurationException(field, name, "must not be empty.");
        }

        return name;
    }

    public static int Severity(string field, string value) => FromPolicyParser(() => RuleSet.ParseSeverity(value, field));

    /// <summary>QIDs and ranges; each value may itself be a comma-separated list.</summary>
    public static QidList Qids(string field, IEnumerable<string> values) => FromPolicyParser(() => QidList.FromEntries(Split(values), field));

    /// <summary>CVE ids; each value may itself be a comma-separated list.</summary>
    public static CveList Cves(string field, IEnumerable<string> values) => FromPolicyParser(() => CveList.FromEntries(Split(values), field));

    public static double CvssThreshold(string field, string value) => FromPolicyParser(() => CvssScore.ParseThreshold(value, field));

    // The policy parsers throw their own exception type; a setting error is a configuration error either way.
    private static T FromPolicyParser<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (PolicyConfigurationException e)
        {
            throw new ConfigurationException(e.Message, e);
        }
    }

    private static IEnumerable<string> Split(IEnumerable<string> values) => values.SelectMany(v => v.Split(','));

    private static Uri ParseUrl(string field, string value, bool proxy)
    {
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (!string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal) && !string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal)))
        {
            throw new ConfigurationException(field, Redact(value), "not an http(s) URL.");
        }

        if (!proxy && string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal) && !uri.IsLoopback)
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

    [GeneratedRegex("^i-[0-9a-fA-F]{8,17}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Ec2InstanceId();
}
