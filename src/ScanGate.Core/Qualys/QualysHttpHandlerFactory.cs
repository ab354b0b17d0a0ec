using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ScanGate.Infrastructure;

namespace ScanGate.Qualys;

/// <summary>
/// Builds the real transport: gzip/deflate/brotli, an explicit or environment proxy (HTTPS_PROXY, HTTP_PROXY,
/// NO_PROXY; loopback always direct), and optional extra CA certificates. TLS verification is never switched off:
/// the CA bundle only adds trust anchors, and a host-name mismatch always fails.
/// </summary>
public static class QualysHttpHandlerFactory
{
    public static HttpMessageHandler Create(QualysClientOptions options, IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
            UseCookies = false,
        };

        var proxy = CreateProxy(options.Proxy, environment);
        handler.UseProxy = proxy is not null;
        handler.Proxy = proxy;

        if (!string.IsNullOrWhiteSpace(options.CaBundlePath))
        {
            var roots = LoadBundle(options.CaBundlePath);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate, errors, roots),
            };
        }

        return handler;
    }

    /// <summary>The proxy to use, or null for direct connections.</summary>
    public static IWebProxy? CreateProxy(QualysProxyOptions? explicitProxy, IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var noProxy = ParseNoProxy(environment.GetVariable("NO_PROXY") ?? environment.GetVariable("no_proxy"));
        if (explicitProxy is not null)
        {
            var credentials = explicitProxy.Username is null ? null : new NetworkCredential(explicitProxy.Username, explicitProxy.Password);
            return new ScanGateProxy(explicitProxy.Url, explicitProxy.Url, [.. noProxy, .. explicitProxy.Bypass], credentials);
        }

        var https = ParseProxyVariable(environment.GetVariable("HTTPS_PROXY") ?? environment.GetVariable("https_proxy"), "HTTPS_PROXY");
        var http = ParseProxyVariable(environment.GetVariable("HTTP_PROXY") ?? environment.GetVariable("http_proxy"), "HTTP_PROXY");
        if (https is null && http is null)
        {
            return null;
        }

        // Credentials embedded in the proxy URL (user:pass@host) become proxy credentials; the URL itself is stripped.
        var source = https ?? http!;
        NetworkCredential? cred = null;
        if (!string.IsNullOrEmpty(source.UserInfo))
        {
            var parts = source.UserInfo.Split(':', 2);
            cred = new NetworkCredential(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty);
        }

        return new ScanGateProxy(https is null ? null : Strip(https), http is null ? null : Strip(http), noProxy, cred);
    }

    private static Uri Strip(Uri uri) => new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri;

    private static Uri? ParseProxyVariable(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "http://" + text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            // The value may contain credentials: name the variable, not the value.
            throw new QualysSettingException(name, $"{name}: the proxy URL in this environment variable is not a valid URL.");
        }

        return uri;
    }

    internal static List<string> ParseNoProxy(string? value) =>
        string.IsNullOrWhiteSpace(value)
            ? []
            : [.. value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static X509Certificate2Collection LoadBundle(string path)
    {
        if (!File.Exists(path))
        {
            throw new QualysSettingException("ca-bundle", $"ca-bundle: file '{path}' does not exist.");
        }

        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(path);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new QualysSettingException("ca-bundle", $"ca-bundle: '{path}' is not a PEM certificate bundle ({ex.Message}).", ex);
        }

        if (collection.Count == 0)
        {
            throw new QualysSettingException("ca-bundle", $"ca-bundle: '{path}' contains no certificate.");
        }

        return collection;
    }

    internal static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        // Only an untrusted chain can be fixed by extra roots; a name mismatch or missing certificate never is.
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    /// <summary>A proxy with NO_PROXY rules; loopback always goes direct.</summary>
    private sealed class ScanGateProxy(Uri? httpsProxy, Uri? httpProxy, IReadOnlyList<string> noProxy, ICredentials? credentials) : IWebProxy
    {
        public ICredentials? Credentials { get; set; } = credentials;

        public Uri? GetProxy(Uri destination) =>
            IsBypassed(destination) ? null : string.Equals(destination.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal) ? httpsProxy ?? httpProxy : httpProxy ?? httpsProxy;

        public bool IsBypassed(Uri host)
        {
            if (QualysPlatform.IsLoopback(host))
            {
                return true;
            }

            foreach (var rule in noProxy)
            {
                if (string.Equals(rule, "*", StringComparison.Ordinal))
                {
                    return true;
                }

                var name = rule.Split(':')[0].TrimStart('*');
                if (name.StartsWith('.'))
                {
                    if (host.Host.EndsWith(name, StringComparison.OrdinalIgnoreCase) || host.Host.Equals(name[1..], StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }
                }
                else if (host.Host.Equals(name, StringComparison.OrdinalIgnoreCase) || host.Host.EndsWith("." + name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
