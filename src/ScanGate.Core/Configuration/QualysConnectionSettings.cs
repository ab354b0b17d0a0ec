namespace ScanGate.Configuration;

/// <summary>Where and how to reach Qualys. <see cref="ToString"/> never shows the password.</summary>
public sealed record QualysConnectionSettings
{
    /// <summary>A platform code such as <c>US1</c> or <c>EU2</c>; null when <see cref="ApiUrl"/> is set.</summary>
    public string? Platform { get; init; }

    /// <summary>An explicit API base URL (private cloud, the emulator); null when <see cref="Platform"/> is set.</summary>
    public Uri? ApiUrl { get; init; }

    public required string Username { get; init; }

    public required string Password { get; init; }

    public Uri? Proxy { get; init; }

    /// <summary>Proxy user from <c>QUALYS_PROXY_USERNAME</c> (never from a flag).</summary>
    public string? ProxyUsername { get; init; }

    /// <summary>Proxy password from <c>QUALYS_PROXY_PASSWORD</c> (never from a flag).</summary>
    public string? ProxyPassword { get; init; }

    public string? CaCertificateFile { get; init; }

    public override string ToString() =>
        $"QualysConnectionSettings {{ Platform = {Platform}, ApiUrl = {ApiUrl}, Username = {Username}, Password = ***, Proxy = {Proxy?.GetLeftPart(UriPartial.Authority)}, ProxyUsername = {ProxyUsername}, ProxyPassword = {(ProxyPassword is null ? "null" : "***")}, CaCertificateFile = {CaCertificateFile} }}";
}
