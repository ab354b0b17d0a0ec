using System.Net;

namespace ScanGate.Qualys;

/// <summary>
/// A Qualys platform (pod): where the FO/QPS API lives and where the JWT gateway lives. Resolved from a short code
/// (US1, EU2, the plugin's US_PLATFORM_1 ...), a known API/gateway/portal URL, or any custom URL (private cloud, emulator).
/// </summary>
public sealed record QualysPlatform
{
    /// <summary>Short code (US1 ...), or <c>CUSTOM</c> for a URL that is not a known pod.</summary>
    public required string Code { get; init; }

    /// <summary>Base URL of the FO v2 and QPS APIs (always ends with '/').</summary>
    public required Uri ApiUrl { get; init; }

    /// <summary>Base URL of the JWT gateway (<c>POST /auth</c>). For a custom URL it is the API URL.</summary>
    public required Uri GatewayUrl { get; init; }

    /// <summary>True when the URL is not a known public pod: test connection then uses <c>/msp/about.php</c>.</summary>
    public bool IsCustom { get; init; }

    private static readonly (string Code, string Api, string Gateway)[] Pods =
    [
        ("US1", "https://qualysapi.qualys.com/", "https://gateway.qg1.apps.qualys.com/"),
        ("US2", "https://qualysapi.qg2.apps.qualys.com/", "https://gateway.qg2.apps.qualys.com/"),
        ("US3", "https://qualysapi.qg3.apps.qualys.com/", "https://gateway.qg3.apps.qualys.com/"),
        ("US4", "https://qualysapi.qg4.apps.qualys.com/", "https://gateway.qg4.apps.qualys.com/"),
        ("EU1", "https://qualysapi.qualys.eu/", "https://gateway.qg1.apps.qualys.eu/"),
        ("EU2", "https://qualysapi.qg2.apps.qualys.eu/", "https://gateway.qg2.apps.qualys.eu/"),
        ("EU3", "https://qualysapi.qg3.apps.qualys.it/", "https://gateway.qg3.apps.qualys.it/"),
        ("IN1", "https://qualysapi.qg1.apps.qualys.in/", "https://gateway.qg1.apps.qualys.in/"),
        ("CA1", "https://qualysapi.qg1.apps.qualys.ca/", "https://gateway.qg1.apps.qualys.ca/"),
        ("AE1", "https://qualysapi.qg1.apps.qualys.ae/", "https://gateway.qg1.apps.qualys.ae/"),
        ("UK1", "https://qualysapi.qg1.apps.qualys.co.uk/", "https://gateway.qg1.apps.qualys.co.uk/"),
        ("AU1", "https://qualysapi.qg1.apps.qualys.com.au/", "https://gateway.qg1.apps.qualys.com.au/"),
        ("KSA1", "https://qualysapi.qg1.apps.qualysksa.com/", "https://gateway.qg1.apps.qualysksa.com/"),
    ];

    // The Jenkins plugin's dropdown codes (original-plugin.md §2.2), so migrated configurations keep working.
    private static readonly Dictionary<string, string> PluginAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["US_PLATFORM_1"] = "US1",
        ["US_PLATFORM_2"] = "US2",
        ["US_PLATFORM_3"] = "US3",
        ["US_PLATFORM_4"] = "US4",
        ["EU_PLATFORM_1"] = "EU1",
        ["EU_PLATFORM_2"] = "EU2",
        ["EU_PLATFORM_3"] = "EU3",
        ["INDIA_PLATFORM"] = "IN1",
        ["CANADA_PLATFORM"] = "CA1",
        ["AE_PLATFORM"] = "AE1",
        ["UK_PLATFORM"] = "UK1",
        ["AU_PLATFORM"] = "AU1",
        ["KSA_PLATFORM"] = "KSA1",
    };

    /// <summary>The short codes of every known public pod, in table order.</summary>
    public static IReadOnlyList<string> KnownCodes { get; } = [.. Pods.Select(p => p.Code)];

    /// <summary>
    /// Resolves a platform code or URL. <paramref name="customUrl"/> is used with the plugin code <c>PCP</c>
    /// (private cloud) or when <paramref name="platformOrUrl"/> is empty.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Unknown code, unusable URL, or plain HTTP to a non-loopback host. The message names the setting and the value and
    /// is meant for users (no internal parameter name).
    /// </exception>
    public static QualysPlatform Resolve(string? platformOrUrl, string? customUrl = null)
    {
        var value = platformOrUrl?.Trim();
        if (string.IsNullOrEmpty(value) || value.Equals("PCP", StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(customUrl))
            {
                throw new QualysSettingException(
                    "platform",
                    string.IsNullOrEmpty(value)
                        ? "platform: a platform code (US1 ... KSA1) or an API URL is required."
                        : "platform: PCP (private cloud) needs an API URL (api-url).");
            }

            return FromUrl(customUrl.Trim());
        }

        if (value.Contains("://", StringComparison.Ordinal))
        {
            return FromUrl(value);
        }

        var code = PluginAliases.TryGetValue(value, out var alias) ? alias : value.ToUpperInvariant();
        foreach (var pod in Pods)
        {
            if (string.Equals(pod.Code, code, StringComparison.Ordinal))
            {
                return new QualysPlatform { Code = pod.Code, ApiUrl = new Uri(pod.Api), GatewayUrl = new Uri(pod.Gateway) };
            }
        }

        throw new QualysSettingException("platform", $"platform: unknown platform '{value}'. Use one of {string.Join(", ", KnownCodes)}, PCP with an API URL, or an https:// URL.");
    }

    private static QualysPlatform FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (!string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal) && !string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal)))
        {
            throw new QualysSettingException("api-url", $"api-url: '{url}' is not an absolute http(s) URL.");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            // Never echo the URL: it carries credentials.
            throw new QualysSettingException("api-url", "api-url: the URL must not contain a user name or password; pass credentials separately.");
        }

        if (string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal) && !IsLoopback(uri))
        {
            throw new QualysSettingException("api-url", $"api-url: '{url}' uses plain http; credentials would travel unencrypted. Use https (http is accepted for 127.0.0.1 only).");
        }

        var host = uri.Host;
        if (host.StartsWith("qualysguard.", StringComparison.OrdinalIgnoreCase))
        {
            // A portal URL pasted from the browser: its API twin is qualysapi.<same domain> (the plugin does the same).
            host = "qualysapi." + host["qualysguard.".Length..];
        }

        foreach (var pod in Pods)
        {
            var api = new Uri(pod.Api);
            var gateway = new Uri(pod.Gateway);
            if (string.Equals(api.Host, host, StringComparison.OrdinalIgnoreCase) || string.Equals(gateway.Host, host, StringComparison.OrdinalIgnoreCase))
            {
                return new QualysPlatform { Code = pod.Code, ApiUrl = api, GatewayUrl = gateway };
            }
        }

        var builder = new UriBuilder(uri) { Host = host, Query = string.Empty, Fragment = string.Empty };
        if (!builder.Path.EndsWith('/'))
        {
            builder.Path += "/";
        }

        var baseUri = builder.Uri;
        return new QualysPlatform { Code = "CUSTOM", ApiUrl = baseUri, GatewayUrl = baseUri, IsCustom = true };
    }

    internal static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
